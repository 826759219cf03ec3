#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

# Commands that never touch the database or the broker, so need no embedded servers.
OFFLINE_COMMANDS = {"compilemessages", "makemessages", "collectstatic", "help", "version", "--help", "--version"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
        # Settings still need URLs to parse; these commands never connect.
        os.environ.setdefault("DATABASE_URL", "postgres://offline@localhost/offline")
        os.environ.setdefault("REDIS_URL", "redis://localhost:6379/0")
    from core.embedded import EmbeddedServerError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
    except EmbeddedServerError as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
