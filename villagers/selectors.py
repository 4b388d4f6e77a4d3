"""Reads behind the villager's pages: who a QR token points at, where a deputy serves, who is on
duty. A token that was rotated, or of a deputy who no longer serves, resolves to the stations the
villager should turn to instead."""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

from deputies.models import Deputy, RetiredDeputyToken, Stationing
from issues.models import Category, KeptPhoto
from stations.models import DutySlot, RetiredStationToken, Station

_MAX_TOKEN = 64


@dataclass
class DeputyPage:
    deputy: Deputy | None = None
    stations: list[Station] = field(default_factory=list)
    # Set when the token no longer takes cases: where to send the villager instead.
    moved_to: list[Station] | None = None


@dataclass
class StationPage:
    station: Station | None = None
    deputies: list[Deputy] = field(default_factory=list)
    duty_deputy: Deputy | None = None
    moved_to: list[Station] | None = None


def _current_stationings(**filters):
    return (
        Stationing.objects.current()
        .filter(station__is_active=True, **filters)
        .select_related("station")
        .order_by("-kind", "start_date")
    )


def _stations_to_send_to(deputy: Deputy) -> list[Station]:
    """The deputy's current stations, else the one they served at last."""
    stations = [s.station for s in _current_stationings(deputy=deputy)]
    if stations:
        return stations
    last = (
        Stationing.objects.filter(deputy=deputy, station__is_active=True)
        .select_related("station")
        .order_by("-start_date")
        .first()
    )
    return [last.station] if last else []


def deputy_page(token: str) -> DeputyPage | None:
    """What /d/<token>/ shows, or None when the token never existed."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    deputy = Deputy.objects.filter(qr_token=token).first()
    if deputy is None:
        retired = RetiredDeputyToken.objects.select_related("deputy").filter(token=token).first()
        if retired is None:
            return None
        return DeputyPage(moved_to=_stations_to_send_to(retired.deputy))
    if not deputy.is_active:
        return DeputyPage(moved_to=_stations_to_send_to(deputy))
    stations = [s.station for s in _current_stationings(deputy=deputy)]
    if not stations:
        return DeputyPage(moved_to=_stations_to_send_to(deputy))
    # Its next reception days: villagers.directory.deputy_reception_days.
    return DeputyPage(deputy=deputy, stations=stations)


def station_page(token: str) -> StationPage | None:
    """What /s/<token>/ shows, or None when the token never existed."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    station = Station.objects.select_related("region").filter(qr_token=token).first()
    if station is None:
        retired = RetiredStationToken.objects.select_related("station").filter(token=token).first()
        if retired is None:
            return None
        return StationPage(moved_to=[retired.station] if retired.station.is_active else [])
    if not station.is_active:
        return StationPage(moved_to=[])
    deputies = [
        s.deputy
        for s in Stationing.objects.current()
        .filter(station=station, deputy__is_active=True)
        .select_related("deputy")
        .order_by("-kind", "deputy__name")
    ]
    serving = {d.pk: d for d in deputies}
    duty_deputy = None
    for slot in DutySlot.objects.filter(station=station, date=timezone.localdate()).order_by("start_time"):
        if slot.deputy_id in serving:
            duty_deputy = serving[slot.deputy_id]
            break
    return StationPage(station=station, deputies=deputies, duty_deputy=duty_deputy)


# The pages behind a QR code are read far more often than deputies, stations, duty slots or
# categories change: a short cache saves their work on every scan. Sending a case never trusts it
# (the token and the deputy are read afresh, and issue_submit checks where the deputy serves).
PAGE_CACHE_SECONDS = 30


def _cached(key: str, compute):
    if len(key) > 200:
        return compute()
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = compute()
        cache.set(key, found, PAGE_CACHE_SECONDS)
    return found


_MISSING = object()


def public_categories() -> list[Category]:
    return _cached("public:categories", lambda: list(Category.objects.filter(is_active=True).only("pk", "name")))


_SHORT_ALPHABET = set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")


def issue_by_receipt(code: str, phone_last4: str = ""):
    """The case a villager looks up with the code on their receipt (short code or tracking code):
    with the last four digits of the phone number they left, or with the code alone when they
    left none (sent anonymously). None unless that matches; the caller rate-limits the tries."""
    import secrets

    phone_last4 = phone_last4 or ""
    if len(phone_last4) not in (0, 4):
        return None
    issue = issue_named_by(code)
    if issue is None:
        return None
    if not issue.submitter_phone:  # digits typed anyway change nothing: there is no phone to match
        return issue
    if len(phone_last4) != 4 or not secrets.compare_digest(issue.submitter_phone[-4:], phone_last4):
        return None
    return issue


def receipt_code_key(code: str) -> str:
    """One spelling of a code as villagers type it (k7qm 3xpa, K7QM-3XPA), for counting tries."""
    return (code or "").strip().upper().replace("-", "").replace(" ", "")[:_MAX_TOKEN]


def issue_named_by(code: str):
    """The case whose short code or tracking code `code` is, the phone's digits not checked:
    issue_by_receipt checks them; alone, it only tells whose staff to warn of guessing."""
    from django.db.models import Q

    from issues.models import Issue

    code = (code or "").strip()
    if not code or len(code) > _MAX_TOKEN:
        return None
    compact = receipt_code_key(code)
    query = Q(tracking_code=code)
    if len(compact) == 8 and set(compact) <= _SHORT_ALPHABET:
        query |= Q(short_code=f"{compact[:4]}-{compact[4:]}")
    return Issue.objects.filter(query).only("tracking_code", "submitter_phone").first()


def kept_photos(submission_key: str, ids) -> list[KeptPhoto]:
    """The photos kept for the form `submission_key` among `ids` (the page's hidden fields), in
    the order they were chosen; another form's are never among them."""
    ids = [int(pk) for pk in ids]
    if not submission_key or not ids:
        return []
    return list(KeptPhoto.objects.filter(submission_key=submission_key, pk__in=ids).order_by("pk"))


def kept_photo_of_form(submission_key: str, photo_id: int) -> KeptPhoto | None:
    if not submission_key:
        return None
    return KeptPhoto.objects.filter(submission_key=submission_key, pk=photo_id).only("image").first()


def kept_voice_of_form(submission_key: str, voice_id: int | None):
    """The voice note kept for the form `submission_key`, if `voice_id` is it; None otherwise."""
    from issues.models import KeptVoice

    if not submission_key or voice_id is None:
        return None
    return KeptVoice.objects.filter(submission_key=submission_key, pk=voice_id).first()


def voice_note_of(issue):
    """The case's voice note (only what the page shows), or None."""
    from issues.models import VoiceNote

    return VoiceNote.objects.filter(issue=issue).only("pk", "duration").first()
