"""A burst of texts is sent in batches: one task claims its text and other due ones at once
(FOR UPDATE SKIP LOCKED), checks opt-outs and the daily cap for the whole batch, and writes the
sent rows down in one statement, without giving up any guarantee: each text once, concurrent
workers on disjoint rows, a batch never outliving its claim, a worker killed before writing
its batch down leaves rows that are found at the provider, not sent again."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from issues.models import State
from issues.sms import outbox
from issues.sms.models import SmsMessage, SmsOptOut
from issues.tests.lifecycle import drive_to
from issues.tests.test_concurrency import race
from testsupport.services import require_postgres

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_TEN = datetime(2025, 6, 9, 10, 0, tzinfo=SHANGHAI)
Status = SmsMessage.Status


class Provider:
    """Accepts everything, remembers what (as a provider would), and can say it saw a key."""

    accepted: list[str] = []

    def send(self, sms):
        Provider.accepted.append(sms.key)
        return f"biz-{len(Provider.accepted)}"

    def lookup(self, sms, since):
        return "found" if sms.key in Provider.accepted else None


@pytest.fixture
def provider(settings):
    settings.SMS_BACKEND = "issues.tests.test_sms_batch.Provider"
    settings.SMS_BATCH_SIZE = 50
    Provider.accepted = []
    return Provider


def accepted_texts(world, count: int) -> list[SmsMessage]:
    """`count` cases accepted, each villager (a number of their own) with one text waiting."""
    for n in range(count):
        drive_to(world, State.ACCEPTED, submitter_phone=f"1380013{n:04d}", sms_consent=True)
    return list(SmsMessage.objects.order_by("pk"))


def test_one_task_sends_the_whole_burst_once_in_a_fixed_number_of_queries(
    world, provider, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(MONDAY_TEN, tick=False)
    texts = accepted_texts(world, 12)
    # Claim, sort out, write down: at most 11 statements with the savepoints, for 12 texts or for 50.
    with django_assert_max_num_queries(11):
        assert outbox.sms_send_batch(texts[5].pk) == {}
    rows = list(SmsMessage.objects.order_by("pk"))
    assert {row.status for row in rows} == {Status.SENT}
    assert sorted(provider.accepted) == sorted(row.key for row in rows)
    assert len({row.provider_id for row in rows}) == 12  # each row its own id at the provider
    assert {row.sent_at for row in rows} == {MONDAY_TEN}
    assert {row.attempts for row in rows} == {1}
    for row in rows:  # the tasks asked for the other texts find nothing left to do
        assert outbox.sms_send_batch(row.pk) == {}
    assert len(provider.accepted) == 12


def test_a_batch_is_no_larger_than_the_setting_and_starts_with_its_own_text(world, provider, settings, time_machine):
    time_machine.move_to(MONDAY_TEN, tick=False)
    settings.SMS_BATCH_SIZE = 3
    texts = accepted_texts(world, 5)
    outbox.sms_send_batch(texts[4].pk)
    sent = set(SmsMessage.objects.filter(status=Status.SENT).values_list("pk", flat=True))
    assert sent == {texts[4].pk, texts[0].pk, texts[1].pk}


def test_an_opted_out_number_in_a_batch_is_cancelled_and_the_others_go(world, provider, time_machine):
    time_machine.move_to(MONDAY_TEN, tick=False)
    texts = accepted_texts(world, 3)
    SmsOptOut.objects.create(phone=texts[1].phone)
    outbox.sms_send_batch(texts[0].pk)
    statuses = dict(SmsMessage.objects.values_list("pk", "status"))
    assert statuses == {texts[0].pk: Status.SENT, texts[1].pk: Status.CANCELLED, texts[2].pk: Status.SENT}
    assert texts[1].key not in provider.accepted
    assert SmsMessage.objects.get(pk=texts[1].pk).attempts == 0  # a hold is not an attempt


def test_the_daily_cap_counts_the_texts_of_one_number_within_the_same_batch(world, provider, settings, time_machine):
    settings.SMS_DAILY_CAP_PER_PHONE = 2
    time_machine.move_to(MONDAY_TEN, tick=False)
    issue = drive_to(world, State.REPLIED, submitter_phone="13800138000", sms_consent=True)  # three texts
    first = SmsMessage.objects.filter(issue=issue).order_by("pk").first()
    later = outbox.sms_send_batch(first.pk)
    held = SmsMessage.objects.get(issue=issue, template="replied")
    assert later == {held.pk: (datetime(2025, 6, 10, 8, 0, tzinfo=SHANGHAI) - MONDAY_TEN).total_seconds()}
    assert (held.status, held.attempts) == (Status.PENDING, 0)
    assert len(provider.accepted) == 2


def test_a_batch_that_runs_short_of_its_claim_gives_the_rest_back_to_be_asked_for_again(
    world, provider, settings, time_machine
):
    time_machine.move_to(MONDAY_TEN, tick=False)
    settings.SMS_CLAIM_SECONDS = 1.0  # less than one provider timeout plus 5 s: only one text may go
    texts = accepted_texts(world, 3)
    later = outbox.sms_send_batch(texts[0].pk)
    assert later == {texts[1].pk: 0.0, texts[2].pk: 0.0}
    rows = {row.pk: row for row in SmsMessage.objects.all()}
    assert rows[texts[0].pk].status == Status.SENT
    for pk in later:
        assert (rows[pk].status, rows[pk].attempts, rows[pk].claimed_until) == (Status.PENDING, 0, None)
    assert provider.accepted == [texts[0].key]


def test_a_worker_killed_before_writing_its_batch_down_sends_nothing_twice(world, provider, settings, time_machine):
    time_machine.move_to(MONDAY_TEN, tick=False)
    texts = accepted_texts(world, 4)
    batch = outbox._claim_batch(texts[0].pk, 50)
    provider.accepted += [message.key for message in batch[:3]]  # accepted, then the worker died
    assert outbox.sms_send_batch(texts[0].pk) == {}  # still claimed: nobody else takes them
    time_machine.move_to(MONDAY_TEN + timedelta(seconds=settings.SMS_CLAIM_SECONDS + 1), tick=False)
    assert outbox.sms_send_batch(texts[0].pk) == {}
    rows = list(SmsMessage.objects.order_by("pk"))
    assert {row.status for row in rows} == {Status.SENT}
    assert [row.provider_id for row in rows] == ["found", "found", "found", "biz-4"]
    assert sorted(provider.accepted) == sorted(row.key for row in rows)  # each once


@pytest.mark.postgres
def test_two_workers_claiming_at_once_take_disjoint_batches(world, provider, transactional_db, time_machine):
    require_postgres()
    time_machine.move_to(MONDAY_TEN, tick=False)
    texts = accepted_texts(world, 30)
    # Committed here, so the eager tasks sent them already: due again, as after an emptied broker.
    SmsMessage.objects.update(status=Status.PENDING, attempts=0, sent_at=None, provider_id="")
    first, second = race(lambda: outbox._claim_batch(texts[0].pk, 20), lambda: outbox._claim_batch(texts[29].pk, 20))
    mine, theirs = {m.pk for m in first}, {m.pk for m in second}
    assert not mine & theirs
    assert len(mine | theirs) == 30
    assert SmsMessage.objects.filter(status=Status.SENDING, attempts=1).count() == 30
