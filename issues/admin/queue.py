"""My queue in the case list: deputies and station staff open the list on the cases waiting for
them (issues.queue), with one click to every case of their stations. Users without a queue
(township staff, superusers) see every case of their scope, as before."""

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from issues.permissions import Role, scope_of
from issues.queue import has_queue, queue_filter

# Keyboard triage on the case page (the browser's access-key modifier, Alt or Alt+Shift, plus
# the letter): accept, review, assign, answer, reject.
TRIAGE_KEYS = {"accept": "a", "review": "v", "assign": "s", "reply": "r", "reject": "j"}

MINE = "mine"
ALL = "all"
PARAMETER = "queue"


def queue_value(request) -> str:
    """The list's view: `mine` or `all`, by the query string, else by whether the user has a queue."""
    asked = request.GET.get(PARAMETER)
    if asked in (MINE, ALL):
        return asked
    # A search (a case code read out on the phone) looks through every case, not the queue only.
    return MINE if has_queue(request.user) and not request.GET.get("q") else ALL


class QueueFilter(admin.SimpleListFilter):
    title = _("view")
    parameter_name = PARAMETER

    def lookups(self, request, model_admin):
        if not has_queue(request.user):
            return []
        return [(MINE, _("My queue")), (ALL, _("All cases of my stations"))]

    def value(self):
        if not self.lookup_choices:
            return None
        # The facet counts set each choice here in turn before asking for its rows.
        asked = self.used_parameters.get(self.parameter_name)
        return asked if asked in (MINE, ALL) else queue_value(self.request)

    def queryset(self, request, queryset):
        if self.value() != MINE:
            return queryset
        if request.method == "POST" and request.POST.get("select_across") != "1":
            # A bulk action on ticked cases: the ticks decide (within the scope), so that a case
            # that left the queue meanwhile is reported for its state, not as "not found".
            return queryset
        q = queue_filter(request.user)
        return queryset.filter(q) if q is not None else queryset.none()

    def choices(self, changelist):
        # No "All" entry of Django's: without a parameter the list is the queue, and "all" is
        # the second choice, named for what it shows.
        choices = list(super().choices(changelist))
        return choices[1:]


def queue_tabs(request, changelist_url: str) -> list[dict]:
    """The two tabs above the list, for users with a queue (none for the others)."""
    if not has_queue(request.user):
        return []
    current = queue_value(request)
    return [
        {"key": key, "label": label, "url": f"{changelist_url}?{PARAMETER}={key}", "selected": key == current}
        for key, label in ((MINE, _("My queue")), (ALL, _("All cases of my stations")))
    ]


class QueueChangeList(ChangeList):
    """The case list. The filters' counts come on request ("show counts", the admin's
    ShowFacets.ALLOW): counted for every choice of every filter over every case in scope, they
    cost more than the list itself, for a station's thousands of cases as for a province's
    millions, and the queue's size is in the tabs and the header already."""


def escalation_proposal(request, issue) -> dict | None:
    """The escalation chain's proposal on a case (issues.escalation), with the URL of the one
    click that takes it up for those who may (station staff, superusers): the view lives in the
    activities admin, which issues only knows by the URL's name."""
    if issue.escalation_proposed_at is None:
        return None
    may = scope_of(request.user).roles_for(issue) & {Role.STATION_STAFF, Role.ADMIN}
    url = reverse("admin:activities_escalate_proposed", args=[issue.pk]) if may else None
    return {"at": issue.escalation_proposed_at, "url": url}


def proposal_badge(request, issue) -> str:
    """The proposal in the case list: a button that submits the list's own form (and its CSRF
    token) to the one-click URL, since a form cannot sit inside the list's form."""
    proposal = escalation_proposal(request, issue)
    if proposal is None:
        return ""
    if proposal["url"] is None:
        return format_html('<span class="liaison-proposal-badge">⚑ {}</span> ', _("proposed for escalation"))
    return format_html(
        '<button type="submit" class="liaison-proposal-badge" formaction="{}" formmethod="post" formnovalidate '
        'title="{}">⚑ {}</button> ',
        proposal["url"],
        _("Make it the topic of the next appointment"),
        _("proposed for escalation"),
    )


def state_column(request, state_badge):
    """The list's state column for this request: the state, and the proposal's button under it."""

    def state_and_proposal(obj):
        return format_html("{}{}", state_badge(obj), proposal_badge(request, obj))

    state_and_proposal.short_description = state_badge.short_description
    state_and_proposal.admin_order_field = state_badge.admin_order_field
    return state_and_proposal


class CaseListMixin:
    """The case list's columns for the request, and its per-row work kept small
    (bench/workbench_bench.py): Django renders each row's checkbox through the form widget
    templates, this writes the same input directly."""

    def get_list_display(self, request):
        # Staff of a single station do not need its name on every row: the room goes to the content.
        current = scope_of(request.user)
        single = (
            not current.is_superuser
            and current.deputy_id is None
            and not current.region_paths
            and len(current.named_station_ids) == 1
        )
        names = [name for name in super().get_list_display(request) if not (single and name == "station")]
        return [state_column(request, self.state_badge) if name == "state_badge" else name for name in names]

    def action_checkbox(self, obj):
        label = gettext("Select this object for an action - {}").format(obj)
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )
