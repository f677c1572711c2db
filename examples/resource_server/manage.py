#!/usr/bin/env python
"""Django's command-line utility for the resource server example."""

import os
import sys


def main() -> None:
    """Run administrative tasks with the resource server's settings."""
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'resource_server.settings')
    from django.core.management import (  # noqa: PLC0415
        execute_from_command_line,
    )

    execute_from_command_line(sys.argv)


if __name__ == '__main__':
    main()
