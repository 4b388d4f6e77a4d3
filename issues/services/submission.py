"""A new case: checked completely before anything is written, idempotent by key. And the photos
a villager chose on a form that could not be sent yet, kept against the form's key until it is."""

import contextlib
import hashlib
import json
from collections.abc import Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from issues import clock
from issues.models import Action, Attachment, Category, Channel, Issue, KeptPhoto, KeptVoice, VoiceNote
from issues.permissions import VILLAGER, Actor, Role, authorize
from issues.photos import KEPT_PHOTO_MAX_AGE, MAX_PHOTOS, ChosenPhoto, clean_photos
from issues.services.core import new_event
from issues.similar import stored_grams
from issues.validators import (
    clean_content,
    clean_name,
    normalize_mobile,
)
from issues.workdays import add_working_days
from liaison.db import Lookup, insert_together
from liaison.errors import IdempotencyConflict, InvalidInput

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
    kept_photo_ids: Sequence[int] = (),
    voice=None,
    kept_voice_id: int | None = None,
    idempotency_key: str = "",
    source_ref: str = "",
    sms_consent: bool = False,
) -> Issue:
    """Create a case addressed to a station (and to a deputy when known, by id or by the token of
    the QR code a villager scanned).

    Everything is checked before anything is written. With `idempotency_key` (a form's
    server-issued token, an API client's Idempotency-Key) a repeated request returns the case
    the first one created, with `replayed` set on it; the same key with different content is
    refused.

    `kept_photo_ids` are photos kept under `idempotency_key` by photos_keep: they become the
    case's attachments (kept ones first) in the transaction that creates it. `voice` is a
    recording checked by issues.voice.clean_voice, `kept_voice_id` one kept under the key by
    issues.services.voice.voice_keep (at most one of them); with either, the text may be short."""
    if channel not in _CHANNELS:
        raise InvalidInput(_("Unknown channel."), field="channel")
    has_voice = voice is not None or kept_voice_id is not None
    if voice is not None and kept_voice_id is not None:
        raise InvalidInput(_("A case has at most one voice note."), field="voice")
    if kept_voice_id is not None and not idempotency_key:
        raise InvalidInput(_("Kept photos belong to a form: send its key."), field="voice")
    content = clean_content(content, with_voice=has_voice)
    name = clean_name(submitter_name)
    phone = normalize_mobile(submitter_phone)

    # The villager's path finds where the deputy serves in the insert statement itself (one
    # round trip: see liaison.db.insert_together); staff are checked against the station first.
    lookup, region_path = _addressee(deputy_id, station_id, deputy_token)
    if lookup is not None and actor.role != Role.VILLAGER:
        deputy_id, station_id, region_path = _resolved(lookup, deputy_id, station_id, deputy_token)
        lookup = None
    if category_id is not None and not Category.objects.filter(pk=category_id, is_active=True).exists():
        raise InvalidInput(_("Unknown category."), field="category")

    kept_ids = sorted({int(pk) for pk in kept_photo_ids})
    if kept_ids and not idempotency_key:
        raise InvalidInput(_("Kept photos belong to a form: send its key."), field="photos")
    if len(kept_ids) + len(photos) > MAX_PHOTOS:
        raise InvalidInput(_("At most %(n)d photos.") % {"n": MAX_PHOTOS}, field="photos")
    # A repeated idempotency key is caught by its unique index at insert time (below), which
    # costs nothing on the common path of a first submission.
    fingerprint = ""
    if idempotency_key:
        fingerprint = _fingerprint(
            channel, station_id, deputy_id, deputy_token, category_id, content, name, phone, len(photos) + len(kept_ids)
        )
        if has_voice:  # only then: the fingerprints of cases sent before voice notes stay valid
            fingerprint = _fingerprint(fingerprint, "voice")
    clean = clean_photos(photos)

    issue = Issue(
        channel=channel,
        station_id=station_id,
        region_path=region_path,
        deputy_id=deputy_id,
        category_id=category_id,
        content=content,
        match_grams=stored_grams(content),  # no transcript yet: staff type it later
        submitter_name=name,
        submitter_phone=phone,
        sms_consent=bool(sms_consent and phone),
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
            if voice is not None:
                note = VoiceNote(size=len(voice.content), content_type=voice.content_type, duration=voice.duration)
                note.created_at = now
                stored.append(note)
                note.audio.save(f"voice.{voice.extension}", ContentFile(voice.content), save=False)
            event = new_event(
                issue,
                action=Action.SUBMIT,
                from_state="",
                actor=actor,
                data={"photos": len(kept_ids) + len(clean), **({"voice": True} if has_voice else {})},
            )
            # Without kept photos (nearly every case) nothing is read or locked here: the fast path
            # stays one statement. With them, their rows go in the transaction that creates the case.
            with transaction.atomic() if kept_ids or kept_voice_id is not None else contextlib.nullcontext():
                handed_over = _take_kept(idempotency_key, kept_ids, now) if kept_ids else []
                if kept_voice_id is not None:
                    handed_over += _take_kept_voice(idempotency_key, kept_voice_id, now)
                if len(handed_over) < len(kept_ids) + (kept_voice_id is not None):  # gone: used already, or expired
                    replay = _replay(idempotency_key, fingerprint)
                    if replay is not None:
                        _delete_files(stored)
                        return replay
                    if len([h for h in handed_over if isinstance(h, Attachment)]) < len(kept_ids):
                        raise InvalidInput(
                            _("A photo you chose earlier is no longer kept. Please choose it again."), field="photos"
                        )
                    raise InvalidInput(_("Your voice note is no longer kept. Please record it again."), field="voice")
                # The case, its first timeline event and its photos: one statement on PostgreSQL.
                # Their save() logic is nothing insert_together skips: Issue.save only fills a
                # region path left empty, and this one is set (above, or by the lookup).
                if not insert_together(issue, [event, *handed_over, *stored], lookup=lookup):
                    replay = _replay(idempotency_key, fingerprint) if idempotency_key else None
                    if replay is not None:  # sent before the deputy stopped serving
                        _delete_files(stored)
                        return replay
                    _resolved(lookup, deputy_id, station_id, deputy_token)  # raises what is wrong, unless
                    _delete_files(stored)  # the deputy serves again after all (a race): try once more
                    continue
                if kept_ids:
                    KeptPhoto.objects.filter(pk__in=kept_ids).delete()
                if kept_voice_id is not None:
                    KeptVoice.objects.filter(pk=kept_voice_id).delete()
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


def _addressee(deputy_id: int | None, station_id: int | None, deputy_token: str) -> tuple[Lookup | None, str]:
    """Where a case goes: a station alone is checked here (its region path comes back); a deputy
    (by id or QR token) becomes the Lookup of where they serve, at `station_id` when given."""
    from deputies.selectors import serving_post_lookup
    from stations.models import Station

    if deputy_id is not None or deputy_token:
        return serving_post_lookup(deputy_id=deputy_id, token=deputy_token, station_id=station_id), ""
    if station_id is None:
        raise InvalidInput(_("Choose a station."), field="station")
    region_path = Station.objects.filter(pk=station_id, is_active=True).values_list("region__path", flat=True).first()
    if region_path is None:
        raise InvalidInput(_("This station does not receive cases any more."), field="station")
    return None, region_path


def _resolved(lookup: Lookup, deputy_id: int | None, station_id: int | None, deputy_token: str) -> tuple[int, int, str]:
    """Run `lookup`: the (deputy id, station id, region path), or the InvalidInput that says what
    is wrong."""
    from deputies.models import Deputy

    row = lookup.first_row()
    if row is not None:
        return row[0], row[1], row[2]
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


def _delete_files(rows: list) -> None:
    """Delete the stored files of photos and voice notes (issues.models.voice) in `rows`."""
    for row in rows:
        stored = row.audio if isinstance(row, VoiceNote | KeptVoice) else row.image
        if stored.name:
            stored.storage.delete(stored.name)


# --- photos kept for a form that is not sent yet --------------------------------------------------


def _take_kept(key: str, ids: list[int], now) -> list[Attachment]:
    """The kept photos `ids` of the form `key`, locked, as the new case's attachments (same files)."""
    rows = KeptPhoto.objects.select_for_update().filter(submission_key=key, pk__in=ids).order_by("pk")
    return [
        Attachment(image=row.image.name, size=row.size, width=row.width, height=row.height, created_at=now)
        for row in rows
    ]


def _take_kept_voice(key: str, pk: int, now) -> list[VoiceNote]:
    """The kept voice note `pk` of the form `key`, locked, as the new case's voice note (same file)."""
    row = KeptVoice.objects.select_for_update().filter(submission_key=key, pk=pk).first()
    if row is None:
        return []
    return [
        VoiceNote(
            audio=row.audio.name, content_type=row.content_type, duration=row.duration, size=row.size, created_at=now
        )
    ]


def photos_keep(*, submission_key: str, photos: Sequence[ChosenPhoto], kept_ids: Sequence[int] = ()) -> list[KeptPhoto]:
    """Keep `photos` (checked already: issues.photos.check_chosen) for the form `submission_key`,
    next to its kept photos `kept_ids`. Returns all of them, in the order they were chosen.
    Refuses more than MAX_PHOTOS together, as the case would."""
    if not submission_key:
        raise InvalidInput(_("Kept photos belong to a form: send its key."), field="photos")
    ids = [int(pk) for pk in kept_ids]
    kept = list(KeptPhoto.objects.filter(submission_key=submission_key, pk__in=ids).order_by("pk")) if ids else []
    if len(kept) + len(photos) > MAX_PHOTOS:
        raise InvalidInput(_("At most %(n)d photos.") % {"n": MAX_PHOTOS}, field="photos")
    now = clock.now()
    added: list[KeptPhoto] = []
    try:
        for chosen in photos:
            row = KeptPhoto(
                submission_key=submission_key,
                original_name=chosen.name[:100],
                original_size=chosen.size,
                width=chosen.photo.width,
                height=chosen.photo.height,
                size=len(chosen.photo.content),
                created_at=now,
            )
            row.image.save("photo.jpg", ContentFile(chosen.photo.content), save=False)
            added.append(row)
        KeptPhoto.objects.bulk_create(added)
    except BaseException:
        _delete_files(added)
        raise
    return kept + added


def kept_photo_remove(*, submission_key: str, photo_id: int) -> bool:
    """Forget one kept photo of the form `submission_key` (its file too); False when that form
    has no such photo."""
    row = KeptPhoto.objects.filter(submission_key=submission_key, pk=photo_id).first() if submission_key else None
    if row is None:
        return False
    return _delete_kept(row)


def kept_photos_expire(*, now=None) -> int:
    """Delete the photos kept for forms that can no longer be sent. Returns how many went."""
    cutoff = (now or clock.now()) - KEPT_PHOTO_MAX_AGE
    return sum(_delete_kept(row) for row in KeptPhoto.objects.filter(created_at__lt=cutoff).only("pk", "image"))


def _delete_kept(row: KeptPhoto) -> bool:
    # The row first, and the file only if this call deleted it: a case being created at the same
    # moment holds the row locked and takes the file over, so its delete here finds nothing.
    deleted, _rows = KeptPhoto.objects.filter(pk=row.pk).delete()
    if deleted:
        _delete_files([row])
    return bool(deleted)
