"""A service that only verifies tokens, with the keys another one publishes."""
