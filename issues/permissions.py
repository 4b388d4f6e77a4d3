"""Who may see and do what. The one place: admin, API, pages, dashboards and exports all use
`scope_of` (what a user may see) and `authorize` (what an actor may do to a case).

`Scope` and `scope_of` are computed in stations.scope, at the base of the domain, so that the
stations' and deputies' own admin pages and services use the same scoping; they are named here
too, so that everything above reads permissions from this one module."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from issues.models import Action, State
from stations.scope import Role, Scope, scope_of

__all__ = ["ACTION_ROLES", "PLATFORM", "SYSTEM", "VILLAGER", "Actor", "Role", "Scope", "authorize", "scope_of"]
from liaison.errors import ActionForbidden, IllegalTransition, IssueNotFound

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
    Action.TRANSCRIBE: {Role.STATION_STAFF: ANY_STATE, Role.ADMIN: ANY_STATE},
    # Merging duplicates: station staff; a deputy for their own cases while they triage them (the
    # states in which a deputy acts at all), never once the station has reviewed the case.
    Action.MERGE: {
        Role.DEPUTY: frozenset({State.SUBMITTED, State.ACCEPTED}),
        Role.STATION_STAFF: ANY_STATE,
        Role.ADMIN: ANY_STATE,
    },
    Action.UNMERGE: {
        Role.DEPUTY: frozenset({State.SUBMITTED, State.ACCEPTED}),
        Role.STATION_STAFF: ANY_STATE,
        Role.ADMIN: ANY_STATE,
    },
}

# What may still happen to a merged case itself; everything else is done to its main case, which
# the merged case follows (issues.services.merging).
FOLLOWER_ACTIONS = frozenset({Action.EVALUATE, Action.CLOSE, Action.REVEAL_PHONE, Action.TRANSCRIBE, Action.UNMERGE})


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
    if getattr(issue, "merged_into_id", None) and action not in FOLLOWER_ACTIONS:
        raise IllegalTransition(_("This case is merged into another one: act on the main case instead."))
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
    if issue.merged_into_id:
        return []
    return [
        action
        for action in (Action.ACCEPT, Action.REJECT, Action.REVIEW, Action.ASSIGN, Action.REPLY, Action.REOPEN)
        if issue.state in TRANSITIONS[action] and roles & allowed_roles(action, issue.state)
    ]


def may_reveal_contact(user, issue) -> bool:
    """Whether `user` handles this case, and so may ask to see the villager's full name and phone
    (each time recorded on the timeline). Everyone else sees both masked, always."""
    return bool(scope_of(user).roles_for(issue) & allowed_roles(Action.REVEAL_PHONE, issue.state))
