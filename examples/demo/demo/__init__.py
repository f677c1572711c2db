"""The dmr-jwt demo project: ``make demo`` serves it on 127.0.0.1:8000."""
