"""Which governance platform a case goes to, and with what: the county platform of the case's
station (issues.GovernancePlatform, the nearest region above the station that has an active
one), else the global settings (GOVERNANCE_PLATFORM_URL, _TOKEN, GOVERNANCE_CALLBACK_SECRET).
And the rotation of a platform's secrets and tokens: the next ones become the current ones."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from issues import clock
from issues.models import GovernancePlatform


@dataclass(frozen=True)
class Endpoint:
    url: str
    token: str
    callback_url: str


def platform_for_region(region) -> GovernancePlatform | None:
    """The active platform of the nearest region at or above `region` that has one."""
    if region is None:
        return None
    ancestor_ids = [int(part) for part in region.path.strip("/").split("/") if part]
    candidates = GovernancePlatform.objects.filter(region_id__in=ancestor_ids, is_active=True).select_related("region")
    return max(candidates, key=lambda platform: len(platform.region.path), default=None)


def endpoint(platform: GovernancePlatform | None) -> Endpoint:
    if platform is None:
        return Endpoint(
            url=settings.GOVERNANCE_PLATFORM_URL,
            token=settings.GOVERNANCE_PLATFORM_TOKEN,
            callback_url=settings.PUBLIC_BASE_URL + reverse("governance-callback"),
        )
    return Endpoint(
        url=platform.url,
        token=platform.token,
        callback_url=settings.PUBLIC_BASE_URL + reverse("governance-callback-platform", args=[platform.code]),
    )


def accepted_secrets(platform: GovernancePlatform | None) -> list[str]:
    """The callback secrets in force for this platform (current, then next); empty: callbacks
    from it are not configured."""
    if platform is None:
        values = [settings.GOVERNANCE_CALLBACK_SECRET, settings.GOVERNANCE_CALLBACK_SECRET_NEXT]
        return [value for value in values if value]
    return platform.callback_secrets()


def rotate(*, code: str) -> GovernancePlatform:
    """Make the next callback secret and the next token the current ones (each only if a next
    one is named). Until then both were accepted; from now on only the new ones are."""
    with transaction.atomic():
        platform = GovernancePlatform.objects.select_for_update().get(code=code)
        changed = []
        if platform.next_callback_secret_env:
            platform.callback_secret_env, platform.next_callback_secret_env = platform.next_callback_secret_env, ""
            changed += ["callback_secret_env", "next_callback_secret_env"]
        if platform.next_token_env:
            platform.token_env, platform.next_token_env = platform.next_token_env, ""
            changed += ["token_env", "next_token_env"]
        if changed:
            platform.rotated_at = clock.now()
            platform.save(update_fields=[*changed, "rotated_at"])
    return platform
