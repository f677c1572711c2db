"""Management commands of the blocklist app."""
