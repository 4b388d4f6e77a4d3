"""Helpers shared by the activity services: the clock's today, row locks, input checks."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import STATUS_TRANSITIONS, Activity, ActivityItem, ActivityPhoto, Status
from activities.permissions import ActivityNotFound
from issues import clock
from issues.photos import MAX_PHOTOS, clean_photo
from liaison.errors import IllegalTransition, InvalidInput

THEME_MAX = 200


def today() -> date:
    return timezone.localdate(clock.now())


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def locked_activity(activity_id: int) -> Activity:
    try:
        return Activity.objects.select_for_update().get(pk=activity_id)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise ActivityNotFound() from None


def locked_item(item_id: int) -> ActivityItem:
    try:
        return ActivityItem.objects.select_for_update().select_related("activity", "case").get(pk=item_id)
    except (ActivityItem.DoesNotExist, ValueError, TypeError):
        raise ActivityNotFound() from None


def move_status(activity: Activity, to: str) -> None:
    if to not in STATUS_TRANSITIONS[activity.status]:
        raise IllegalTransition(
            _("An activity that is %(status)s cannot become %(to)s.")
            % {"status": Status(activity.status).label, "to": Status(to).label}
        )
    activity.status = to


def active_deputies(deputy_ids: Iterable[int]) -> list:
    from deputies.models import Deputy

    ids = list(dict.fromkeys(deputy_ids))
    deputies = list(Deputy.objects.filter(pk__in=ids, is_active=True))
    if len(deputies) != len(ids):
        raise InvalidInput(_("Choose serving deputies."), field="deputies")
    return deputies


def clean_officials(officials: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    cleaned = []
    for name, post in officials:
        name, post = (name or "").strip(), (post or "").strip()
        if not name or not post or len(name) > 50 or len(post) > 100:
            raise InvalidInput(_("Give each attending official's name and post."), field="officials")
        cleaned.append((name, post))
    return cleaned


def clean_activity_photos(photos: Sequence) -> list:
    photos = [p for p in (photos or []) if p]
    if len(photos) > MAX_PHOTOS * 4:
        raise InvalidInput(_("At most %(n)d photos.") % {"n": MAX_PHOTOS * 4}, field="photos")
    return [clean_photo(p) for p in photos]


def store_photos(activity: Activity, clean: list) -> list[ActivityPhoto]:
    stored = []
    try:
        for photo in clean:
            row = ActivityPhoto(
                activity=activity,
                width=photo.width,
                height=photo.height,
                size=len(photo.content),
                created_at=clock.now(),
            )
            stored.append(row)
            row.image.save("photo.jpg", ContentFile(photo.content), save=True)
    except BaseException:
        for row in stored:
            if row.image.name:
                row.image.storage.delete(row.image.name)
        raise
    return stored
