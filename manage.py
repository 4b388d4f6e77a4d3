#!/usr/bin/env python
import os
import sys

# Commands that only compare the code with its migrations: they sign nothing, so they run on a
# fresh checkout without the deployment's secret key (makemigrations --check is part of the gate).
KEYLESS_COMMANDS = {"makemigrations"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    if len(sys.argv) > 1 and sys.argv[1] in KEYLESS_COMMANDS and not os.environ.get("DJANGO_SECRET_KEY"):
        import secrets

        os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)  # used for nothing, never stored
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
