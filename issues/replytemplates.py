"""Reply templates: which templates a case may use, their placeholders, and the one service that
writes them. A template with an unknown or malformed placeholder is refused when it is saved,
naming the placeholder and listing the known ones, so choosing a template never fails."""

from dataclasses import dataclass
from string import Formatter

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from issues import clock
from issues.models import Issue, ReplyTemplate
from issues.permissions import scope_of
from liaison.errors import InvalidInput
from stations.models import Region


@dataclass(frozen=True)
class Placeholder:
    label: str


# name -> what it becomes. The names are what staff type, in braces: {village}.
PLACEHOLDERS: dict[str, Placeholder] = {
    "village": Placeholder(gettext_lazy("the villager's village (the station's village or township)")),
    "station": Placeholder(gettext_lazy("the station's name")),
    "department": Placeholder(gettext_lazy("the department the case was handed to")),
    "category": Placeholder(gettext_lazy("the case's category")),
    "date": Placeholder(gettext_lazy("today's date")),
    "code": Placeholder(gettext_lazy("the case's short code")),
}


def placeholders_in(text: str) -> list[str]:
    """The placeholder names of `text`; InvalidInput when a brace is unbalanced or a name unknown."""
    try:
        parsed = [(name, spec, conversion) for _literal, name, spec, conversion in Formatter().parse(text)]
    except ValueError:
        raise InvalidInput(
            _("A brace is not closed: write placeholders as {village}, and a brace itself as {{ or }}."),
            field="text",
        ) from None
    names = [name for name, _spec, _conversion in parsed if name is not None]
    known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    for name in names:
        if name not in PLACEHOLDERS:
            raise InvalidInput(
                _("Unknown placeholder {%(name)s}. Known placeholders: %(known)s.")
                % {"name": name or "", "known": known},
                field="text",
            )
    if any(spec or conversion for name, spec, conversion in parsed if name is not None):
        raise InvalidInput(_("Write placeholders without a format, e.g. {date}."), field="text")
    return names


def _village(issue: Issue) -> str:
    region = issue.station.region
    if region.level in (Region.Level.VILLAGE, Region.Level.TOWNSHIP):
        return region.name
    return issue.station.name


def render(template: ReplyTemplate, issue: Issue) -> str:
    """The template's text with the case's values in its placeholders."""
    placeholders_in(template.text)  # a template saved before a placeholder was retired
    today = timezone.localdate(clock.now())
    values = {
        "village": _village(issue),
        "station": issue.station.name,
        "department": issue.department.name if issue.department_id else "",
        "category": issue.category.name if issue.category_id else "",
        "date": f"{today.year}年{today.month}月{today.day}日",
        "code": issue.short_code,
    }
    return template.text.format(**values)


def templates_for(user, issue: Issue) -> QuerySet[ReplyTemplate]:
    """The active templates this user may use on this case: of its station or of every station,
    for its category or for every category."""
    if not scope_of(user).can_see(issue):
        return ReplyTemplate.objects.none()
    category = Q(category__isnull=True) | Q(category_id=issue.category_id)
    station = Q(station__isnull=True) | Q(station_id=issue.station_id)
    return ReplyTemplate.objects.filter(category & station, is_active=True).order_by("name", "pk")


def templates_visible_to(user) -> QuerySet[ReplyTemplate]:
    """The templates this user may see in the admin: every station's and their own stations'."""
    current = scope_of(user)
    if current.is_superuser:
        return ReplyTemplate.objects.all()
    if current.is_empty:
        return ReplyTemplate.objects.none()
    return ReplyTemplate.objects.filter(Q(station__isnull=True) | current.station_filter("station__"))


def may_edit(user, station_id: int | None) -> bool:
    """Superusers edit every template; station staff those of their own stations."""
    current = scope_of(user)
    return current.is_superuser or (station_id is not None and station_id in current.staff_station_ids)


def reply_template_save(*, user, template: ReplyTemplate) -> ReplyTemplate:
    """Check the text's placeholders and who may keep a template for that station, then save."""
    if not may_edit(user, template.station_id):
        raise InvalidInput(_("You may keep reply templates for your own stations only."), field="station")
    template.name = (template.name or "").strip()
    if not template.name:
        raise InvalidInput(_("Give the template a name."), field="name")
    placeholders_in(template.text)
    with transaction.atomic():
        if template.pk is None and template.created_by_id is None:
            template.created_by = user
        template.updated_at = clock.now()
        template.save()
    return template
