"""300 demo cases over the last 120 days, replayed through the lifecycle services.

Each case is first *planned* (what happens and when, drawn from one seeded random generator, the
same draws whatever is already in the database), then *replayed*: every step runs through
`issues.services` with `clock.frozen_at(step time)`, and the replay stops at the first step that
would lie in the future, so recent cases are naturally still open. Cases whose `source_ref`
("demo-<n>") exists are skipped, which makes seeding idempotent.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from demo import data, texts
from demo.build import DemoWorld
from issues import clock
from issues.forwarding import forwarding_settle_history
from issues.models import Channel, Issue, Rating
from issues.permissions import PLATFORM, VILLAGER, Actor
from issues.services import (
    issue_accept,
    issue_assign,
    issue_close_unevaluated,
    issue_evaluate,
    issue_reject,
    issue_reopen,
    issue_reply,
    issue_review,
    issue_submit,
)

CASES = 300
DAYS = 120
BATCH = 50


@dataclass
class Step:
    at: datetime
    action: str  # accept, reject, review, assign, reply, evaluate, close, reopen
    params: dict = field(default_factory=dict)


@dataclass
class Plan:
    ref: str
    station: str
    submit_at: datetime
    submit: dict
    steps: list[Step]


def _daytime(moment: datetime, rng: random.Random, *, start: int = 8, end: int = 21) -> datetime:
    """Move a moment that falls at night to the next morning."""
    local = timezone.localtime(moment)
    if local.hour < start:
        return local.replace(hour=start, minute=rng.randrange(60))
    if local.hour >= end:
        return (local + timedelta(days=1)).replace(hour=start, minute=rng.randrange(60))
    return local


class Planner:
    def __init__(self, world: DemoWorld, rng: random.Random, now: datetime, handles: dict[int, set[str]]):
        self.world, self.rng, self.now = world, rng, now
        self.handles = handles  # department id -> names of the categories it handles
        self.users_by_id = {u.pk: u for u in world.users.values()}
        self._t = now  # the time of the last planned step of the case being planned

    def _later(self, lo_hours: float, hi_hours: float, *, start: int = 8, end: int = 21) -> datetime:
        """The next step's time: a random while after the last one, in the daytime."""
        at = self._t + timedelta(hours=self.rng.uniform(lo_hours, hi_hours))
        self._t = _daytime(at, self.rng, start=start, end=end)
        return self._t

    # --- what the villager says ----------------------------------------------------------

    def _content(self, station: str, category: str | None, channel: str) -> str:
        rng = self.rng
        tags, places = texts.PROFILES[station]
        fits = [
            t for t in texts.TEMPLATES if (category is None or t[0] == category) and (t[1] == "any" or t[1] in tags)
        ]
        text = rng.choice(fits)[2]
        values = {key: rng.choice(options) for key, options in sorted(places.items())}
        body = text.format(**values, n=rng.randint(2, 8))
        if channel == Channel.DEPUTY_VISIT:
            return rng.choice(texts.VISIT_PREFIX) + body
        if channel == Channel.WALK_IN:
            kind = "shop" if self.world.stations[station].kind == "shop" else "other"
            return rng.choice(texts.WALK_IN_PREFIX[kind]) + body
        return rng.choice(texts.OPENERS) + body + rng.choice(texts.CLOSERS)

    def _submitter(self) -> tuple[str, str]:
        rng = self.rng
        name = ""
        if rng.random() < 0.45:
            surname = rng.choice(texts.SURNAMES)
            if rng.random() < 0.3:
                name = rng.choice(texts.INFORMAL).format(s=surname)
            else:
                name = surname + rng.choice(texts.GIVEN_NAMES)
        phone = ""
        if rng.random() < (0.7 if name else 0.15):
            phone = rng.choice(texts.MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))
        return name, phone

    # --- who acts ----------------------------------------------------------------------------

    def _deputy_user(self, deputy_id):
        for deputy in self.world.deputies.values():
            if deputy.pk == deputy_id and deputy.user_id:
                return self.users_by_id.get(deputy.user_id)
        return None

    def _station_deputy_user(self, station: str):
        """A demo deputy with a login who serves this station, if any."""
        for deputy, _ in self.world.stationed[station]:
            if deputy.user_id:
                return self.users_by_id.get(deputy.user_id)
        return None

    def _department(self, station: str, category: str | None):
        """A department of the station's township (sometimes its district) that handles it."""
        region = self.world.stations[station].region
        chain = []
        while region is not None:
            chain.append(region.pk)
            region = region.parent
        candidates = [d for d in self.world.departments if d.region_id in chain]
        handling = [d for d in candidates if category and category in self.handles[d.pk]]
        if handling:
            handling.sort(key=lambda d: chain.index(d.region_id))
            if len(handling) > 1 and self.rng.random() < 0.3:
                return handling[-1]
            return handling[0]
        return next(d for d in candidates if d.name.endswith(data.GENERAL_DEPARTMENT))

    # --- one case ------------------------------------------------------------------------------

    def plan(self, n: int) -> Plan:
        rng = self.rng
        station = rng.choices(list(texts.STATION_WEIGHTS), weights=list(texts.STATION_WEIGHTS.values()))[0]
        weights = texts.CATEGORY_WEIGHTS[station]
        names = list(data.CATEGORIES)
        category = rng.choices(names, weights=[weights.get(c, 1) for c in names])[0]
        if rng.random() < 0.05:
            category = None  # the villager chose no category
        channel = rng.choices(
            [Channel.DEPUTY_QR, Channel.STATION_QR, Channel.DEPUTY_VISIT, Channel.WALK_IN], weights=[45, 35, 12, 8]
        )[0]
        stationed = self.world.stationed[station]
        deputy = None
        if channel in (Channel.DEPUTY_QR, Channel.DEPUTY_VISIT) or (channel == Channel.WALK_IN and rng.random() < 0.5):
            pool = [d for d, kind in stationed for _ in range(3 if kind == "resident" else 1)]
            deputy = rng.choice(pool)
        name, phone = self._submitter()
        content = self._content(station, category, channel)

        staff = self.world.staff_of[station]
        deputy_user = self._deputy_user(deputy.pk) if deputy else None
        submit_actor = None  # the villager
        if channel == Channel.DEPUTY_VISIT:
            submit_actor = deputy_user or staff
        elif channel == Channel.WALK_IN:
            submit_actor = staff

        recent = rng.random() < 0.15  # more of them lately
        created = self.now - timedelta(days=rng.uniform(0.05, 10 if recent else DAYS))
        created = timezone.localtime(created).replace(hour=rng.choice(range(7, 21)), minute=rng.randrange(60))
        if created > self.now:
            created -= timedelta(days=1)
        submit = {
            "channel": channel,
            "content": content,
            "station": station,
            "deputy_id": deputy.pk if deputy else None,
            "category": category,
            "submitter_name": name,
            "submitter_phone": phone,
            "actor": submit_actor,
        }
        steps = self._steps(station, category, staff, deputy_user, created)
        return Plan(ref=f"demo-{n}", station=station, submit_at=created, submit=submit, steps=steps)

    def _steps(self, station, category, staff, deputy_user, created) -> list[Step]:
        rng = self.rng
        steps: list[Step] = []
        self._t = created
        later = self._later

        acceptor = deputy_user or (self._station_deputy_user(station) if rng.random() < 0.5 else None) or staff
        fate = rng.random()
        if fate < 0.06:  # rejected at once
            steps.append(Step(later(1, 20), "reject", {"actor": acceptor, "reason": rng.choice(texts.REJECT_REASONS)}))
            return steps
        if fate < 0.085:  # nobody has looked at it yet
            return steps
        steps.append(Step(later(0.3, 10), "accept", {"actor": acceptor}))
        if fate < 0.10:  # accepted, then found outside the station's remit
            steps.append(Step(later(2, 24), "reject", {"actor": staff, "reason": rng.choice(texts.REJECT_REASONS)}))
            return steps
        if fate < 0.11:  # accepted, waiting for review
            return steps
        fix = rng.choice(texts.FIXES.get(category or "其他"))
        department = None
        if fate < 0.17 and acceptor is not staff:  # a deputy answers a simple question on the spot
            text = rng.choice(texts.DEPUTY_REPLY).format(fix=fix)
            steps.append(Step(later(0.5, 6), "reply", {"actor": acceptor, "text": text}))
        else:
            steps.append(Step(later(1, 20), "review", {"actor": staff, "note": rng.choice(texts.REVIEW_NOTES)}))
            if fate < 0.12:  # reviewed, not handled yet
                return steps
            if rng.random() < 0.25:  # the station answers directly
                text = rng.choice(texts.STATION_REPLY).format(fix=fix)
                steps.append(Step(later(24, 96), "reply", {"actor": staff, "text": text}))
            else:
                department = self._department(station, category)
                note = f"请{department.name}在期限内办理并答复。"
                steps.append(Step(later(0.2, 6), "assign", {"actor": staff, "department": department, "note": note}))
                if fate < 0.19:  # with the department, maybe overdue
                    return steps
                text = rng.choice(texts.ASSIGNED_REPLY).format(dept=department.name, fix=fix)
                by = PLATFORM if rng.random() < 0.75 else staff
                steps.append(Step(later(24, 144), "reply", {"actor": by, "text": text, "platform": by is PLATFORM}))
        self._after_reply(steps, staff, department, category, round_=1)
        return steps

    def _after_reply(self, steps, staff, department, category, *, round_: int) -> None:
        rng, later = self.rng, self._later
        replied_at = steps[-1].at
        outcome = rng.random()
        if outcome < (0.18 if round_ == 1 else 0.2):  # never rated: closed when the window ends
            window = timedelta(days=settings.ISSUE_EVALUATION_WINDOW_DAYS)
            close_at = replied_at + window + timedelta(days=1) - timedelta(minutes=rng.randrange(60, 300))
            close_at = max(close_at, replied_at + window + timedelta(minutes=5))
            steps.append(Step(close_at, "close"))
            self._t = close_at
            if round_ == 1 and rng.random() < 0.12:  # the villager phones in: staff reopen it
                reason = rng.choice(texts.STAFF_REOPEN_REASONS)
                steps.append(Step(later(24, 72), "reopen", {"actor": staff, "reason": reason}))
                self._second_round(steps, staff, department, category)
            return
        rating = Rating.SATISFIED if rng.random() < 0.72 else Rating.BASICALLY_SATISFIED
        if round_ == 1 and outcome > 0.9:
            rating = Rating.UNSATISFIED
        comment = rng.choice(texts.UNSATISFIED_COMMENTS) if rating == Rating.UNSATISFIED else rng.choice(texts.PRAISE)
        steps.append(Step(later(0.3, 72, start=7, end=22), "evaluate", {"rating": rating, "comment": comment}))
        if rating == Rating.UNSATISFIED:  # back at the station, which sends it back to the department
            self._second_round(steps, staff, department, category, send_back=True)

    def _second_round(self, steps, staff, department, category, *, send_back: bool = False) -> None:
        rng, later = self.rng, self._later
        if send_back and department is not None:  # no draw here: the plans stay as they were
            note = "群众不满意，退回部门重新办理"
            instructions = "请针对群众不满意的意见重新核实处理，并当面回复。"
            params = {"actor": staff, "department": department, "note": note, "instructions": instructions}
            steps.append(Step(self._t + timedelta(hours=1), "assign", params))
        if rng.random() < 0.15:  # round 2 still being handled
            return
        fix = rng.choice(texts.FIXES.get(category or "其他"))
        text = rng.choice(texts.ROUND2_REPLY).format(fix=fix)
        by = PLATFORM if department is not None and rng.random() < 0.6 else staff
        steps.append(Step(later(24, 96), "reply", {"actor": by, "text": text, "platform": by is PLATFORM}))
        self._after_reply(steps, staff, department, category, round_=2)


def _actor(user_or_actor) -> Actor:
    if isinstance(user_or_actor, Actor):
        return user_or_actor
    return Actor.of(user_or_actor)


def _replay(plan: Plan, world: DemoWorld, now: datetime) -> None:
    s = plan.submit
    category = world.categories[s["category"]] if s["category"] else None
    with clock.frozen_at(plan.submit_at):
        issue = issue_submit(
            actor=_actor(s["actor"]) if s["actor"] else VILLAGER,
            channel=s["channel"],
            content=s["content"],
            station_id=world.stations[plan.station].pk,
            deputy_id=s["deputy_id"],
            category_id=category.pk if category else None,
            submitter_name=s["submitter_name"],
            submitter_phone=s["submitter_phone"],
            source_ref=plan.ref,
        )
    replies = 0
    for step in plan.steps:
        if step.at > now:
            break
        p = step.params
        with clock.frozen_at(step.at):
            match step.action:
                case "accept":
                    issue_accept(actor=_actor(p["actor"]), issue_id=issue.pk)
                case "reject":
                    issue_reject(actor=_actor(p["actor"]), issue_id=issue.pk, reason=p["reason"])
                case "review":
                    issue_review(actor=_actor(p["actor"]), issue_id=issue.pk, note=p["note"])
                case "assign":
                    issue_assign(
                        actor=_actor(p["actor"]),
                        issue_id=issue.pk,
                        department_id=p["department"].pk,
                        note=p["note"],
                        instructions=p.get("instructions", ""),
                    )
                case "reply":
                    replies += 1
                    ref = f"{plan.ref}-reply-{replies}" if p.get("platform") else ""
                    issue_reply(actor=_actor(p["actor"]), issue_id=issue.pk, text=p["text"], external_ref=ref)
                    forwarding_settle_history(issue_id=issue.pk)
                case "evaluate":
                    issue_evaluate(issue_id=issue.pk, rating=p["rating"], comment=p["comment"])
                case "close":
                    issue_close_unevaluated(issue_id=issue.pk)
                case "reopen":
                    issue_reopen(actor=_actor(p["actor"]), issue_id=issue.pk, reason=p["reason"])


def seed_cases(world: DemoWorld, rng: random.Random, now: datetime) -> int:
    """Plan all cases (always the same draws), replay those not yet in the database."""
    handles = {d.pk: set(d.categories.values_list("name", flat=True)) for d in world.departments}
    planner = Planner(world, rng, now, handles)
    plans = sorted((planner.plan(n) for n in range(1, CASES + 1)), key=lambda p: p.submit_at)
    existing = set(Issue.objects.filter(source_ref__startswith="demo-").values_list("source_ref", flat=True))
    todo = [p for p in plans if p.ref not in existing]
    for start in range(0, len(todo), BATCH):
        with transaction.atomic():
            for plan in todo[start : start + BATCH]:
                _replay(plan, world, now)
    return len(todo)
