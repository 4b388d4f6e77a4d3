#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        from django.conf import settings

        settings.SECRET_KEY  # noqa: B018 - load the settings now, so a missing variable is said plainly
    except ImproperlyConfigured as error:
        sys.exit(f"Liaison is not configured: {error} (for development, set DJANGO_DEBUG=1; see README)")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
