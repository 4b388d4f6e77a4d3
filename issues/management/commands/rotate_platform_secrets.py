"""Rotate a county platform's callback secret and token: the next ones (named beside the
current ones, and accepted as well as them until now) become the current ones."""

from django.core.management.base import BaseCommand, CommandError

from issues.models import GovernancePlatform
from issues.platform_routing import rotate


class Command(BaseCommand):
    help = "Make a platform's next callback secret and next token its current ones."

    def add_arguments(self, parser):
        parser.add_argument("code", help="the platform's code (GovernancePlatform.code)")

    def handle(self, *args, code: str, **options):
        platform = GovernancePlatform.objects.filter(code=code).first()
        if platform is None:
            raise CommandError(f"no platform with the code {code!r}")
        if not (platform.next_callback_secret_env or platform.next_token_env):
            raise CommandError(
                f"{code}: name the next secret or token first (next_callback_secret_env, next_token_env)"
            )
        platform = rotate(code=code)
        self.stdout.write(
            f"{code}: callbacks signed with ${platform.callback_secret_env} only; token from ${platform.token_env}"
        )
