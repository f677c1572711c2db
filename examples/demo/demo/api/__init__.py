"""The demo API: token controllers and JWT protected endpoints."""
