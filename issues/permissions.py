"""Who may see and do what. The one place: admin, API, pages, dashboards and exports all use
`scope_of` (what a user may see) and `ensure_allowed` (what an actor may do to a case)."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from issues.errors import ActionForbidden, IllegalTransition, IssueNotFound
from issues.models import Action, State


class Role:
    ADMIN = "admin"
    DEPUTY = "deputy"
    STATION_STAFF = "station_staff"
    TOWNSHIP_STAFF = "township_staff"  # read-only
    VILLAGER = "villager"  # holds the tracking code
    SYSTEM = "system"  # scheduled tasks
    PLATFORM = "platform"  # the governance platform, through a signed callback


ANY_STATE = frozenset(State.values)

# action -> {role: states in which that role may take it}. Township staff appear nowhere.
ACTION_ROLES: dict[str, dict[str, frozenset]] = {
    Action.SUBMIT: {
        Role.VILLAGER: ANY_STATE,
        Role.DEPUTY: ANY_STATE,
        Role.STATION_STAFF: ANY_STATE,
        Role.ADMIN: ANY_STATE,
    },
    Action.ACCEPT: {Role.DEPUTY: ANY_STATE, Role.STATION_STAFF: ANY_STATE, Role.ADMIN: ANY_STATE},
    Action.REJECT: {Role.DEPUTY: frozenset({State.SUBMITTED}), Role.STATION_STAFF: ANY_STATE, Role.ADMIN: ANY_STATE},
    Action.REVIEW: {Role.STATION_STAFF: ANY_STATE, Role.ADMIN: ANY_STATE},
    Action.ASSIGN: {Role.STATION_STAFF: ANY_STATE, Role.ADMIN: ANY_STATE},
    Action.REPLY: {
        Role.DEPUTY: frozenset({State.ACCEPTED, State.REVIEWED}),
        Role.STATION_STAFF: ANY_STATE,
        Role.ADMIN: ANY_STATE,
        Role.PLATFORM: frozenset({State.ASSIGNED}),
    },
    Action.EVALUATE: {Role.VILLAGER: ANY_STATE},
    Action.REOPEN: {Role.STATION_STAFF: ANY_STATE, Role.ADMIN: ANY_STATE, Role.SYSTEM: ANY_STATE},
    Action.CLOSE: {Role.SYSTEM: ANY_STATE},
    Action.EXTEND: {Role.STATION_STAFF: ANY_STATE, Role.ADMIN: ANY_STATE},
    Action.REVEAL_PHONE: {Role.DEPUTY: ANY_STATE, Role.STATION_STAFF: ANY_STATE, Role.ADMIN: ANY_STATE},
    Action.RETRY_FORWARDING: {Role.STATION_STAFF: ANY_STATE, Role.ADMIN: ANY_STATE},
    # What the platform says while its department holds the case (issues.services.exchange).
    Action.RETURN: {Role.PLATFORM: frozenset({State.ASSIGNED})},
    Action.PROGRESS: {Role.PLATFORM: frozenset({State.ASSIGNED})},
    Action.REQUEST_EXTENSION: {Role.PLATFORM: frozenset({State.ASSIGNED})},
    Action.DECIDE_EXTENSION: {Role.STATION_STAFF: ANY_STATE, Role.ADMIN: ANY_STATE},
}


@dataclass(frozen=True)
class Scope:
    """What one user may see, computed once per request from their deputy record and memberships."""

    is_superuser: bool = False
    deputy_id: int | None = None
    deputy_station_ids: frozenset[int] = field(default_factory=frozenset)
    staff_station_ids: frozenset[int] = field(default_factory=frozenset)
    township_station_ids: frozenset[int] = field(default_factory=frozenset)
    township_region_paths: tuple[str, ...] = ()

    @property
    def station_ids(self) -> frozenset[int]:
        """Every station whose cases this user may see."""
        return self.deputy_station_ids | self.staff_station_ids | self.township_station_ids

    @property
    def is_empty(self) -> bool:
        return not self.is_superuser and self.deputy_id is None and not self.station_ids

    def issue_filter(self) -> Q:
        """The Q that limits Issue rows to this scope (superusers are not filtered)."""
        q = Q(station_id__in=self.station_ids)
        if self.deputy_id is not None:
            q |= Q(deputy_id=self.deputy_id)
        return q

    def roles_for(self, issue) -> set[str]:
        roles = set()
        if self.is_superuser:
            roles.add(Role.ADMIN)
        if issue.station_id in self.staff_station_ids:
            roles.add(Role.STATION_STAFF)
        if self.deputy_id is not None and (
            issue.deputy_id == self.deputy_id or issue.station_id in self.deputy_station_ids
        ):
            roles.add(Role.DEPUTY)
        if issue.station_id in self.township_station_ids:
            roles.add(Role.TOWNSHIP_STAFF)
        return roles

    def can_see(self, issue) -> bool:
        return bool(self.roles_for(issue))


_EMPTY = Scope()


def scope_of(user) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _EMPTY
    cached = getattr(user, "_liaison_scope", None)
    if cached is not None:
        return cached
    scope = _build_scope(user)
    user._liaison_scope = scope
    return scope


def _build_scope(user) -> Scope:
    from deputies.models import Deputy, Stationing
    from stations.models import StaffMembership, Station

    if user.is_superuser:
        return Scope(is_superuser=True)
    deputy = Deputy.objects.filter(user=user, is_active=True).only("pk").first()
    deputy_station_ids: frozenset[int] = frozenset()
    if deputy is not None:
        deputy_station_ids = frozenset(
            Stationing.objects.current().filter(deputy=deputy).values_list("station_id", flat=True)
        )
    memberships = list(StaffMembership.objects.filter(user=user).select_related("region"))
    staff_station_ids = frozenset(m.station_id for m in memberships if m.role == StaffMembership.Role.STATION_STAFF)
    region_paths = tuple(m.region.path for m in memberships if m.role == StaffMembership.Role.TOWNSHIP_STAFF)
    township_station_ids: frozenset[int] = frozenset()
    if region_paths:
        region_q = Q()
        for path in region_paths:
            region_q |= Q(region__path__startswith=path)
        township_station_ids = frozenset(Station.objects.filter(region_q).values_list("pk", flat=True))
    return Scope(
        deputy_id=deputy.pk if deputy else None,
        deputy_station_ids=deputy_station_ids,
        staff_station_ids=staff_station_ids,
        township_station_ids=township_station_ids,
        township_region_paths=region_paths,
    )


def allowed_roles(action: str, state: str) -> set[str]:
    return {role for role, states in ACTION_ROLES.get(action, {}).items() if state in states}


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in user, or one of the actors without an account (villager, system,
    platform), which carry their role instead of a scope."""

    user: Any = None
    role: str | None = None

    @classmethod
    def of(cls, user) -> "Actor":
        if user is None or not user.is_authenticated:
            raise ValueError("an Actor needs an authenticated user")
        return cls(user=user)


VILLAGER = Actor(role=Role.VILLAGER)
SYSTEM = Actor(role=Role.SYSTEM)
PLATFORM = Actor(role=Role.PLATFORM)


def authorize(actor: Actor, action: str, issue) -> None:
    """Raise unless `actor` may take `action` on `issue` now, in this order: IssueNotFound when
    the case is outside the actor's scope (never confirm it exists), ActionForbidden when no role
    of the actor ever takes this action, IllegalTransition when the state does not allow it, and
    ActionForbidden when the state allows it but not for this actor's role."""
    from issues.models import TRANSITIONS

    roles = {actor.role} if actor.role is not None else scope_of(actor.user).roles_for(issue)
    if not roles:
        raise IssueNotFound()
    permitted = ACTION_ROLES.get(action, {})
    own = roles & permitted.keys()
    if not own:
        raise ActionForbidden()
    if action in TRANSITIONS and issue.state not in TRANSITIONS[action]:
        raise IllegalTransition(
            _("A case that is %(state)s cannot be given the action “%(action)s”.")
            % {"state": State(issue.state).label, "action": Action(action).label}
        )
    if not any(issue.state in permitted[role] for role in own):
        raise ActionForbidden()


def actions_available(user, issue) -> list[str]:
    """The state-changing actions this user may take on this case now (for buttons)."""
    from issues.models import TRANSITIONS

    roles = scope_of(user).roles_for(issue)
    return [
        action
        for action in (Action.ACCEPT, Action.REJECT, Action.REVIEW, Action.ASSIGN, Action.REPLY, Action.REOPEN)
        if issue.state in TRANSITIONS[action] and roles & allowed_roles(action, issue.state)
    ]


def may_reveal_contact(user, issue) -> bool:
    """Whether `user` handles this case, and so may ask to see the villager's full name and phone
    (each time recorded on the timeline). Everyone else sees both masked, always."""
    return bool(scope_of(user).roles_for(issue) & allowed_roles(Action.REVEAL_PHONE, issue.state))
