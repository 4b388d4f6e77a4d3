"""The seal on a case's timeline: each IssueEvent stores the SHA-256 of its own content and the
hash of the event before it in the same case, so that an event changed, removed, inserted or
moved after it was written shows.

PostgreSQL also refuses UPDATE and DELETE on the table (migration 0010_timeline_chain). The chain
is what catches a change made around that (the trigger disabled by someone with the rights to),
and what guards SQLite, which has no trigger. It is not a signature: whoever can write the table
and recompute every later hash can forge a chain, which is why the trigger is there too.

A case's chain runs in (created_at, id) order. The first event is written in the same statement
as the case (liaison.db.insert_together) before the case has an id, so an event names its case by
the tracking code, which never changes and is known before the insert.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils.translation import gettext as _

# Bump with a new content layout; stored events keep being checked by the layout they were made with.
FORMAT = 1
# What verify_timeline reads of each event: the hashed content plus the row's identity.
EVENT_COLUMNS = (
    "id",
    "issue_id",
    "action",
    "from_state",
    "to_state",
    "round",
    "actor_kind",
    "actor_id",
    "actor_label",
    "public_note",
    "internal_note",
    "data",
    "external_ref",
    "created_at",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class Link:
    """The end of a case's chain, which the next event points at."""

    hash: str
    created_at: datetime


def digest(event, case_code: str) -> str:
    """The hash of an event (a model instance, a migration's historical instance or a row read with
    EVENT_COLUMNS): its content in canonical JSON (sorted keys, no spaces, UTF-8, times in UTC to
    the microsecond), the tracking code of its case and the hash it links to."""
    content = {
        "v": FORMAT,
        "case": case_code,
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "round": event.round,
        "actor_kind": event.actor_kind,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "public_note": event.public_note,
        "internal_note": event.internal_note,
        "data": event.data,
        "external_ref": event.external_ref,
        "created_at": event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "prev": event.prev_hash,
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def seal(event, case_code: str, *, after: Link | None) -> None:
    """Link a new event to the end of its case's chain (`after`; None for the case's first event)
    and set its hash. Pure Python: the villager's submission seals its event without a query."""
    if after is None:
        event.prev_hash = ""
    else:
        event.prev_hash = after.hash
        # The chain runs in time order: an event stamped before the one it follows (a clock
        # stepped back) takes that event's time, and the id orders the two.
        if event.created_at < after.created_at:
            event.created_at = after.created_at
    event.hash = digest(event, case_code)


def chain_end(issue_id: int) -> Link | None:
    """The last event of a case. Call it holding the case's row lock (select_for_update), as every
    writer of events does, so that no other event can join the chain before this one is written."""
    from issues.models import IssueEvent

    row = (
        IssueEvent.objects.filter(issue_id=issue_id)
        .order_by("-created_at", "-id")
        .values_list("hash", "created_at")
        .first()
    )
    return Link(*row) if row else None


# --- checking --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseCheck:
    """The outcome for one case: `problem` is empty when its chain is intact."""

    issue_id: int
    short_code: str
    events: int
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def check_events(issue_id: int, short_code: str, tracking_code: str, state: str, round_: int, events: Iterable):
    """Check one case's events, given in (created_at, id) order, against each other and against
    the case: each links to the one before, matches its own hash, and the last leaves the case
    where it stands (which catches a removed last transition, which the links alone cannot)."""
    count, previous, problem = 0, None, ""
    for event in events:
        count += 1
        if problem:
            continue
        expected = previous.hash if previous is not None else ""
        if event.prev_hash != expected:
            problem = _("event %(id)d does not follow the event before it: one was removed, inserted or moved") % {
                "id": event.id
            }
        elif event.hash != digest(event, tracking_code):
            problem = _("event %(id)d was changed after it was written") % {"id": event.id}
        previous = event
    if not problem:
        if previous is None:
            problem = _("the case has no timeline events")
        elif (previous.to_state, previous.round) != (state, round_):
            problem = _(
                "the case is %(state)s in round %(round)d, but its last event (%(id)d) leaves it "
                "%(last)s in round %(last_round)d: an event is missing"
            ) % {
                "state": _state_label(state),
                "round": round_,
                "id": previous.id,
                "last": _state_label(previous.to_state),
                "last_round": previous.round,
            }
    return CaseCheck(issue_id=issue_id, short_code=short_code, events=count, problem=problem)


def _state_label(value: str) -> str:
    from issues.models import State

    return str(State(value).label) if value in State.values else value


def check_case(issue_id: int) -> CaseCheck:
    """Check one case under its row lock, so that a transition being written is not mistaken for a
    gap between the case and its events."""
    from issues.models import Issue, IssueEvent

    with transaction.atomic():
        issue = (
            Issue.objects.select_for_update()
            .values_list("short_code", "tracking_code", "state", "round")
            .get(pk=issue_id)
        )
        events = IssueEvent.objects.filter(issue_id=issue_id).order_by("created_at", "id")
        events = events.values_list(*EVENT_COLUMNS, named=True)
        return check_events(issue_id, *issue, events)


def check_all(*, short_code: str | None = None, chunk_size: int = 2000) -> Iterator[CaseCheck]:
    """Every case's check, in id order, streaming: the cases and their events are read side by
    side, each in (case, created_at, id) order, in constant memory. A case found broken is read
    again under its lock before it is reported, since the two streams are read at different times."""
    from issues.models import Issue, IssueEvent

    issues = Issue.objects.order_by("pk").values_list("pk", "short_code", "tracking_code", "state", "round")
    events = IssueEvent.objects.order_by("issue_id", "created_at", "id").values_list(*EVENT_COLUMNS, named=True)
    if short_code is not None:
        issues = issues.filter(short_code=short_code)
        events = events.filter(issue__short_code=short_code)
    stream = events.iterator(chunk_size=chunk_size)
    pending = next(stream, None)

    def of_case(issue_id: int) -> Iterator:
        nonlocal pending
        while pending is not None and pending.issue_id < issue_id:  # of no case read: never attributed
            pending = next(stream, None)
        while pending is not None and pending.issue_id == issue_id:
            yield pending
            pending = next(stream, None)

    for issue_id, *case in issues.iterator(chunk_size=chunk_size):
        result = check_events(issue_id, *case, of_case(issue_id))
        yield result if result.ok else check_case(issue_id)


def chain_status(issue) -> tuple[bool, str]:
    """For the case page: whether the case's timeline is intact, and a sentence saying so."""
    result = check_case(issue.pk)
    if result.ok:
        return True, _("Timeline intact: %(n)d events, each sealed and linked to the one before.") % {
            "n": result.events
        }
    return False, _("Timeline broken: %(problem)s.") % {"problem": result.problem}
