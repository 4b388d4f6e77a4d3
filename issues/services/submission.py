"""A new case: checked completely before anything is written, idempotent by key."""

import hashlib
import json
from collections.abc import Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.db.models import Q
from django.utils.translation import gettext as _

from issues import clock
from issues.errors import IdempotencyConflict, InvalidInput
from issues.models import Action, Attachment, Category, Channel, Issue
from issues.permissions import VILLAGER, Actor, Role, authorize
from issues.photos import clean_photos
from issues.services.core import new_event
from issues.validators import (
    clean_content,
    clean_name,
    normalize_mobile,
)
from issues.workdays import add_working_days
from liaison.db import Lookup, insert_together

_CHANNELS = frozenset(Channel.values)  # Channel.values builds a new list on every read


def issue_submit(
    *,
    actor: Actor = VILLAGER,
    channel: str,
    content: str,
    station_id: int | None = None,
    deputy_id: int | None = None,
    deputy_token: str = "",
    category_id: int | None = None,
    submitter_name: str = "",
    submitter_phone: str = "",
    photos: Sequence = (),
    idempotency_key: str = "",
    source_ref: str = "",
) -> Issue:
    """Create a case addressed to a station (and to a deputy when known, by id or by the token of
    the QR code a villager scanned).

    Everything is checked before anything is written. With `idempotency_key` (a form's
    server-issued token, an API client's Idempotency-Key) a repeated request returns the case
    the first one created, with `replayed` set on it; the same key with different content is
    refused."""
    if channel not in _CHANNELS:
        raise InvalidInput(_("Unknown channel."), field="channel")
    content = clean_content(content)
    name = clean_name(submitter_name)
    phone = normalize_mobile(submitter_phone)

    # The villager's path finds where the deputy serves in the insert statement itself (one
    # round trip: see liaison.db.insert_together); staff are checked against the station first.
    lookup = _addressee(deputy_id, station_id, deputy_token)
    if lookup is not None and actor.role != Role.VILLAGER:
        deputy_id, station_id = _resolved(lookup, deputy_id, station_id, deputy_token)
        lookup = None
    if category_id is not None and not Category.objects.filter(pk=category_id, is_active=True).exists():
        raise InvalidInput(_("Unknown category."), field="category")

    # A repeated idempotency key is caught by its unique index at insert time (below), which
    # costs nothing on the common path of a first submission.
    fingerprint = ""
    if idempotency_key:
        fingerprint = _fingerprint(
            channel, station_id, deputy_id, deputy_token, category_id, content, name, phone, len(photos)
        )
    clean = clean_photos(photos)

    issue = Issue(
        channel=channel,
        station_id=station_id,
        deputy_id=deputy_id,
        category_id=category_id,
        content=content,
        submitter_name=name,
        submitter_phone=phone,
        source_ref=source_ref,
        submission_key=idempotency_key,
        submission_fingerprint=fingerprint,
    )
    if actor.role != Role.VILLAGER:
        authorize(actor, Action.SUBMIT, issue)
    now = clock.now()
    issue.created_at = issue.updated_at = now
    issue.deadline = add_working_days(now, settings.ISSUE_ACCEPT_WORKING_DAYS)
    for attempt in range(5):
        stored: list[Attachment] = []
        try:
            for photo in clean:  # files first: their names go into the rows
                attachment = Attachment(size=len(photo.content), width=photo.width, height=photo.height, created_at=now)
                stored.append(attachment)
                attachment.image.save("photo.jpg", ContentFile(photo.content), save=False)
            event = new_event(issue, action=Action.SUBMIT, from_state="", actor=actor, data={"photos": len(clean)})
            # The case, its first timeline event and its photos: one statement on PostgreSQL.
            # These models have no save() logic or signals for insert_together to skip.
            if not insert_together(issue, [event, *stored], lookup=lookup):
                replay = _replay(idempotency_key, fingerprint) if idempotency_key else None
                if replay is not None:  # sent before the deputy stopped serving
                    _delete_files(stored)
                    return replay
                _resolved(lookup, deputy_id, station_id, deputy_token)  # raises what is wrong, unless
                _delete_files(stored)  # the deputy serves again after all (a race): try once more
                continue
            issue.replayed = False
            return issue
        except IntegrityError:
            _delete_files(stored)
            if idempotency_key:
                replay = _replay(idempotency_key, fingerprint)
                if replay is not None:  # a concurrent request with the same key won
                    return replay
            if source_ref and Issue.objects.filter(source_ref=source_ref).exists():
                raise InvalidInput(_("This case was already recorded."), field="source_ref") from None
            collided = Issue.objects.filter(
                Q(short_code=issue.short_code) | Q(tracking_code=issue.tracking_code)
            ).exists()
            if not collided or attempt == 4:
                raise
            # A short code collided (one in ~10^11): draw new codes and try again.
            issue.pk = None
            issue._state.adding = True
            issue.tracking_code = Issue._meta.get_field("tracking_code").get_default()
            issue.short_code = Issue._meta.get_field("short_code").get_default()
        except BaseException:
            _delete_files(stored)
            raise
    raise AssertionError("unreachable")


def _addressee(deputy_id: int | None, station_id: int | None, deputy_token: str) -> Lookup | None:
    """Where a case goes: a station alone is checked here; a deputy (by id or QR token) becomes
    the Lookup of where they serve, at `station_id` when given."""
    from deputies.selectors import serving_post_lookup
    from stations.models import Station

    if deputy_id is not None or deputy_token:
        return serving_post_lookup(deputy_id=deputy_id, token=deputy_token, station_id=station_id)
    if station_id is None:
        raise InvalidInput(_("Choose a station."), field="station")
    if not Station.objects.filter(pk=station_id, is_active=True).exists():
        raise InvalidInput(_("This station does not receive cases any more."), field="station")
    return None


def _resolved(lookup: Lookup, deputy_id: int | None, station_id: int | None, deputy_token: str) -> tuple[int, int]:
    """Run `lookup`: the (deputy id, station id), or the InvalidInput that says what is wrong."""
    from deputies.models import Deputy

    row = lookup.first_row()
    if row is not None:
        return row[0], row[1]
    named = {"pk": deputy_id} if deputy_id is not None else {"qr_token": deputy_token}
    if not Deputy.objects.filter(**named, is_active=True).exists():
        raise InvalidInput(_("This deputy does not receive cases any more."), field="deputy")
    if station_id is not None:
        raise InvalidInput(_("This deputy does not serve at that station."), field="deputy")
    raise InvalidInput(_("This deputy is not stationed at any station now."), field="deputy")


def _fingerprint(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def _replay(key: str, fingerprint: str) -> Issue | None:
    issue = Issue.objects.filter(submission_key=key).first()
    if issue is None:
        return None
    if issue.submission_fingerprint != fingerprint:
        raise IdempotencyConflict()
    issue.replayed = True
    return issue


def _delete_files(attachments: list) -> None:
    for attachment in attachments:
        if attachment.image.name:
            attachment.image.storage.delete(attachment.image.name)
