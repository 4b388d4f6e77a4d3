"""Which texts a villager gets, written where the case changes: one per step that matters, in
the transaction of the step (issues.services.core.record_event calls `sms_for_event`); the
回访 reminders on a schedule; the opt-out from the tracking page."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from issues import clock
from issues.models import Action, Issue, IssueEvent, PublicCall, Seconding, State
from issues.sms.models import SmsMessage, SmsOptOut
from issues.sms.outbox import enqueue_after_commit
from issues.sms.policy import is_mobile, release_time
from issues.sms.templates import clip
from issues.workdays import is_working_day


def _deadline_text(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%m月%d日}" if moment else ""


def template_for(issue: Issue, event: IssueEvent) -> tuple[str, dict] | None:
    """The text a timeline event sends, as (template, its variables), or None."""
    action = event.action
    if action == Action.ACCEPT:
        return "accepted", {}
    if action == Action.REJECT:
        return "rejected", {"reason": clip(issue.rejection_reason)}
    if action == Action.ASSIGN:
        return "assigned", {"department": clip((event.data or {}).get("department", ""))}
    if action == Action.REPLY:
        return "replied", {}
    if action == Action.MERGE and event.data.get("main_id"):  # the merged case's, not the main case's
        return "merged", {}
    if action == Action.REOPEN:
        return "reopened", {"deadline": _deadline_text(issue.deadline)}
    if action == Action.CLOSE or (action == Action.EVALUATE and event.to_state == State.EVALUATED):
        return "closed", {}
    return None


def may_text(issue: Issue) -> bool:
    """Only a villager who left a mobile number and agreed to texts, and has not opted out."""
    return (
        issue.sms_consent
        and is_mobile(issue.submitter_phone)
        and not SmsOptOut.objects.filter(phone=issue.submitter_phone).exists()
    )


def _write(issue: Issue, template: str, params: dict, key: str, *, phone: str = "") -> SmsMessage | None:
    """Write one text about `issue` to its villager, or to `phone` (a villager who said "me too",
    whose text carries neither the case's code nor its tracking code)."""
    now = clock.now()
    if not phone:
        params = {"code": issue.short_code, "track": issue.tracking_code, **params}
    try:
        with transaction.atomic():
            message = SmsMessage.objects.create(
                issue=issue,
                template=template,
                params=params,
                phone=phone or issue.submitter_phone,
                key=key,
                next_attempt_at=release_time(now),
                created_at=now,
            )
    except IntegrityError:  # written before (the reminder's key is per case and round)
        return None
    enqueue_after_commit(message)
    return message


def sms_for_event(issue: Issue, event: IssueEvent) -> SmsMessage | None:
    """Called in the transaction of the event, under the case's row lock."""
    if event.action == Action.REPLY:
        _text_seconders(issue, event)
    found = template_for(issue, event)
    if found is None or not may_text(issue):
        return None
    template, params = found
    return _write(issue, template, params, key=f"sms-{issue.pk}-e{event.pk}")


def _text_seconders(issue: Issue, event: IssueEvent) -> int:
    """The answer, told to each villager who said "me too" with a mobile number and consent (the
    problem named as the station's page showed it). Returns how many texts were written."""
    call = PublicCall.objects.filter(issue=issue).only("text").first()
    if call is None:
        return 0
    opted_out = SmsOptOut.objects.filter(phone=OuterRef("phone"))
    seconders = (
        Seconding.objects.filter(issue=issue, sms_consent=True).exclude(phone="").exclude(Exists(opted_out))
    ).only("pk", "phone")
    written = 0
    for seconding in seconders:
        key = f"sms-{issue.pk}-e{event.pk}-s{seconding.pk}"
        params = {"problem": clip(call.text)}
        if is_mobile(seconding.phone) and _write(issue, "seconded_replied", params, key, phone=seconding.phone):
            written += 1
    return written


def sms_opt_out(*, issue: Issue) -> bool:
    """The holder of the tracking code asks for no more texts to the case's number. Texts not
    yet sent are cancelled. Returns False if the case has no number to stop."""
    phone = issue.submitter_phone
    if not phone:
        return False
    with transaction.atomic():
        SmsOptOut.objects.get_or_create(phone=phone, defaults={"issue": issue, "created_at": clock.now()})
        SmsMessage.objects.filter(phone=phone, status=SmsMessage.Status.PENDING).update(
            status=SmsMessage.Status.CANCELLED, last_error="the villager opted out"
        )
    return True


def is_opted_out(issue: Issue) -> bool:
    return bool(issue.submitter_phone) and SmsOptOut.objects.filter(phone=issue.submitter_phone).exists()


def _next_working_morning(moment: datetime) -> datetime:
    day = timezone.localtime(moment).date() + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    hour = settings.SMS_QUIET_END_HOUR + 1
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


def send_rating_reminders() -> int:
    """回访: remind a villager who has not rated the answer, the next working day after it, and
    once more within SMS_LAST_CALL_HOURS of the end of the evaluation window. Each at most once
    per case and round. Returns how many texts were written."""
    now = clock.now()
    written = 0
    waiting = Issue.objects.filter(
        state=State.REPLIED, sms_consent=True, replied_at__isnull=False, deadline__gt=now
    ).exclude(submitter_phone="")
    last_call = now + timedelta(hours=settings.SMS_LAST_CALL_HOURS)
    for issue in waiting.iterator(chunk_size=500):
        due = []
        if now >= _next_working_morning(issue.replied_at):
            due.append(("rate_reminder", {}))
        if issue.deadline <= last_call:
            due.append(("rate_last_call", {"deadline": _deadline_text(issue.deadline)}))
        for template, params in due:
            if not may_text(issue):
                break
            key = f"sms-{issue.pk}-r{issue.round}-{template}"
            if SmsMessage.objects.filter(key=key).exists():
                continue
            with transaction.atomic():
                if _write(issue, template, {**params, "round": issue.round}, key=key):
                    written += 1
    return written
