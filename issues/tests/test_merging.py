"""Merging duplicate reports into one main case (issues.services.merging): the merged cases
follow the main case's steps, each villager keeps their page, code and rating, and bad input
changes nothing. Errors are matched in Chinese, the portal's language."""

from datetime import timedelta

import pytest

from issues import clock, services
from issues.models import Action, Evaluation, Issue, IssueEvent, Rating, State
from issues.permissions import VILLAGER
from issues.services.merging import issue_merge, issue_unmerge
from issues.sms.models import SmsMessage
from issues.tests.lifecycle import REPLY_TEXT, drive_to, snapshot
from liaison.errors import ActionForbidden, IllegalTransition, InvalidInput, IssueNotFound

PHONE = "13800138000"


def staff(world):
    return world.actor("station_staff")


def group(world, n=2, **submit):
    """A main case accepted by the staff and `n` new duplicates merged into it."""
    main = services.issue_accept(actor=staff(world), issue_id=world.submit().pk)
    duplicates = [world.submit(content=f"路灯坏了，第{i}位村民反映。", **submit) for i in range(n)]
    issue_merge(actor=staff(world), main_id=main.pk, issue_ids=[d.pk for d in duplicates])
    return Issue.objects.get(pk=main.pk), [Issue.objects.get(pk=d.pk) for d in duplicates]


def test_merged_cases_take_the_main_cases_state_and_keep_their_own_codes(world):
    main, duplicates = group(world)
    codes = {d.tracking_code for d in duplicates}

    for case in duplicates:
        assert case.merged_into_id == main.pk
        assert case.state == State.ACCEPTED
        assert case.events.filter(action=Action.MERGE, from_state=State.SUBMITTED).exists()
    assert {d.tracking_code for d in Issue.objects.filter(merged_into=main)} == codes
    assert main.events.filter(action=Action.MERGE).get().data["merged"] == [d.short_code for d in duplicates]


def test_merged_cases_follow_the_main_case_through_answer_reopen_and_close(world, client):
    main, _duplicates = group(world)
    services.issue_review(actor=staff(world), issue_id=main.pk)
    services.issue_assign(actor=staff(world), issue_id=main.pk, department_id=world.department.pk)
    services.issue_reply(actor=staff(world), issue_id=main.pk, text=REPLY_TEXT)
    for case in Issue.objects.filter(merged_into=main):
        assert (case.state, case.reply_text, case.department_id) == (State.REPLIED, REPLY_TEXT, world.department.pk)
        page = client.get(f"/t/{case.tracking_code}/")
        assert REPLY_TEXT in page.content.decode()

    services.issue_reopen(actor=staff(world), issue_id=main.pk, reason="村民来电说路灯仍然不亮。")
    for case in Issue.objects.filter(merged_into=main):
        assert (case.state, case.round) == (State.ASSIGNED, 2)
        assert case.events.filter(action=Action.REOPEN).exists()

    services.issue_reply(actor=staff(world), issue_id=main.pk, text="路灯已更换。")
    main = Issue.objects.get(pk=main.pk)
    with clock.frozen_at(main.deadline + (main.deadline - main.replied_at)):
        services.issue_close_unevaluated(issue_id=main.pk)
    assert set(Issue.objects.filter(merged_into=main).values_list("state", flat=True)) == {State.CLOSED}


def test_a_rejected_main_case_takes_its_merged_cases_with_it(world):
    main, duplicates = group(world, n=1)
    services.issue_reject(actor=staff(world), issue_id=main.pk, reason="不属于受理范围。")
    case = Issue.objects.get(pk=duplicates[0].pk)
    assert (case.state, case.rejection_reason) == (State.REJECTED, "不属于受理范围。")


def test_each_villager_rates_their_own_merged_case(world):
    main, duplicates = group(world)
    services.issue_review(actor=staff(world), issue_id=main.pk)
    services.issue_reply(actor=staff(world), issue_id=main.pk, text=REPLY_TEXT)

    services.issue_evaluate(issue_id=duplicates[0].pk, rating=Rating.SATISFIED)
    services.issue_evaluate(issue_id=main.pk, rating=Rating.BASICALLY_SATISFIED)

    assert Evaluation.objects.get(issue_id=duplicates[0].pk).rating == Rating.SATISFIED
    assert Evaluation.objects.get(issue_id=main.pk).rating == Rating.BASICALLY_SATISFIED
    assert Issue.objects.get(pk=duplicates[1].pk).state == State.REPLIED  # still theirs to rate
    with pytest.raises(IllegalTransition):
        services.issue_evaluate(issue_id=duplicates[0].pk, rating=Rating.UNSATISFIED, comment="不行")


def test_unsatisfied_rating_on_a_merged_case_reopens_the_main_case_for_the_whole_group(world):
    main, duplicates = group(world)
    services.issue_review(actor=staff(world), issue_id=main.pk)
    services.issue_reply(actor=staff(world), issue_id=main.pk, text=REPLY_TEXT)

    rated = services.issue_evaluate(issue_id=duplicates[0].pk, rating=Rating.UNSATISFIED, comment="还是不亮。")

    main = Issue.objects.get(pk=main.pk)
    assert (main.state, main.round) == (State.REVIEWED, 2)  # back in the station's hands
    assert (rated.state, rated.round, rated.merged_into_id) == (State.REVIEWED, 2, main.pk)
    assert Issue.objects.get(pk=duplicates[1].pk).state == State.REVIEWED
    # Its own rating stays on its own case.
    assert list(Evaluation.objects.values_list("issue_id", "rating")) == [(duplicates[0].pk, Rating.UNSATISFIED)]


def test_unsatisfied_merged_case_goes_on_alone_once_the_main_case_was_rated_satisfied(world):
    main, duplicates = group(world, n=1)
    services.issue_review(actor=staff(world), issue_id=main.pk)
    services.issue_reply(actor=staff(world), issue_id=main.pk, text=REPLY_TEXT)
    services.issue_evaluate(issue_id=main.pk, rating=Rating.SATISFIED)

    case = services.issue_evaluate(issue_id=duplicates[0].pk, rating=Rating.UNSATISFIED, comment="还是不亮。")

    assert (case.state, case.merged_into_id) == (State.REVIEWED, None)
    assert Issue.objects.get(pk=main.pk).state == State.EVALUATED


def test_merged_villager_who_agreed_to_texts_is_told_of_the_merge(world):
    main = services.issue_accept(actor=staff(world), issue_id=world.submit().pk)
    texted = world.submit(submitter_phone=PHONE, sms_consent=True)
    issue_merge(actor=staff(world), main_id=main.pk, issue_ids=[texted.pk])
    assert SmsMessage.objects.filter(issue=texted, template="merged").count() == 1
    assert not SmsMessage.objects.filter(issue=main, template="merged").exists()


def test_unmerge_restores_the_previous_state_until_the_main_case_is_assigned(world, client):
    main, duplicates = group(world, n=1)
    case = duplicates[0]
    services.issue_review(actor=staff(world), issue_id=main.pk)

    issue_unmerge(actor=staff(world), issue_id=case.pk)

    case.refresh_from_db()
    assert (case.state, case.merged_into_id) == (State.SUBMITTED, None)
    assert case.events.filter(action=Action.UNMERGE).exists()
    assert main.events.filter(action=Action.UNMERGE).exists()
    assert client.get(f"/t/{case.tracking_code}/").status_code == 200
    services.issue_accept(actor=staff(world), issue_id=case.pk)  # handled on its own again


def test_unmerge_is_refused_once_the_main_case_went_to_a_department(world):
    main, duplicates = group(world, n=1)
    services.issue_review(actor=staff(world), issue_id=main.pk)
    services.issue_assign(actor=staff(world), issue_id=main.pk, department_id=world.department.pk)
    before = snapshot(duplicates[0].pk)
    with pytest.raises(IllegalTransition, match="合并不能再撤销"):
        issue_unmerge(actor=staff(world), issue_id=duplicates[0].pk)
    assert snapshot(duplicates[0].pk) == before


def test_unmerging_a_case_that_is_not_merged_is_refused(world):
    with pytest.raises(IllegalTransition):
        issue_unmerge(actor=staff(world), issue_id=world.submit().pk)


def test_a_merged_case_is_not_handled_on_its_own(world):
    _main, duplicates = group(world, n=1)
    with pytest.raises(IllegalTransition, match="主案件上办理"):
        services.issue_review(actor=staff(world), issue_id=duplicates[0].pk)


def test_merging_a_case_into_itself_is_refused(world):
    case = world.submit()
    with pytest.raises(InvalidInput):
        issue_merge(actor=staff(world), main_id=case.pk, issue_ids=[case.pk])


def test_merging_nothing_or_garbage_is_refused(world):
    case = world.submit()
    with pytest.raises(InvalidInput):
        issue_merge(actor=staff(world), main_id=case.pk, issue_ids=[])
    with pytest.raises(InvalidInput):
        issue_merge(actor=staff(world), main_id=case.pk, issue_ids=["x"])
    with pytest.raises(IssueNotFound):
        issue_merge(actor=staff(world), main_id=case.pk, issue_ids=[case.pk + 999])


def test_merging_cases_of_two_stations_is_refused_and_changes_nothing(world):
    main = world.submit()
    other = world.submit(deputy=world.deputy_b)
    before = [snapshot(main.pk), snapshot(other.pk)]
    with pytest.raises(InvalidInput, match="其他联络站"):
        issue_merge(actor=world.actor("admin"), main_id=main.pk, issue_ids=[other.pk])
    assert [snapshot(main.pk), snapshot(other.pk)] == before


def test_merging_into_a_closed_or_answered_case_is_refused(world):
    for state in (State.REPLIED, State.CLOSED, State.REJECTED):
        main = drive_to(world, state)
        case = world.submit()
        before = snapshot(case.pk)
        with pytest.raises(IllegalTransition, match="已答复或办结"):
            issue_merge(actor=staff(world), main_id=main.pk, issue_ids=[case.pk])
        assert snapshot(case.pk) == before


def test_merging_into_a_merged_case_names_its_main_case(world):
    main, duplicates = group(world, n=1)
    case = world.submit()
    with pytest.raises(IllegalTransition, match=main.short_code):
        issue_merge(actor=staff(world), main_id=duplicates[0].pk, issue_ids=[case.pk])


def test_merging_an_already_merged_case_again_is_refused(world):
    _main, duplicates = group(world, n=1)
    other = world.submit()
    with pytest.raises(IllegalTransition, match="已合并到"):
        issue_merge(actor=staff(world), main_id=other.pk, issue_ids=[duplicates[0].pk])


def test_merging_a_main_case_with_merged_cases_into_another_is_refused(world):
    main, _ = group(world, n=1)
    other = world.submit()
    with pytest.raises(IllegalTransition, match="已有其他案件合并到"):
        issue_merge(actor=staff(world), main_id=other.pk, issue_ids=[main.pk])


def test_one_refused_case_leaves_the_others_unmerged(world):
    main = world.submit()
    good = world.submit()
    answered = drive_to(world, State.REPLIED)
    with pytest.raises(IllegalTransition):
        issue_merge(actor=staff(world), main_id=main.pk, issue_ids=[good.pk, answered.pk])
    assert not Issue.objects.filter(merged_into__isnull=False).exists()
    assert not IssueEvent.objects.filter(action=Action.MERGE).exists()


def test_cases_outside_the_users_scope_are_not_found(world):
    main = world.submit()
    theirs = world.submit(deputy=world.deputy_b)
    with pytest.raises(IssueNotFound):
        issue_merge(actor=staff(world), main_id=main.pk, issue_ids=[theirs.pk])
    with pytest.raises(IssueNotFound):
        issue_merge(actor=world.actor("deputy_b_user"), main_id=main.pk, issue_ids=[theirs.pk])


def test_township_staff_cannot_merge(world):
    main, case = world.submit(), world.submit()
    with pytest.raises(ActionForbidden):
        issue_merge(actor=world.actor("township_staff"), main_id=main.pk, issue_ids=[case.pk])


def test_a_deputy_merges_their_own_new_cases_but_not_reviewed_ones(world):
    deputy = world.actor("deputy_a_user")
    main, case = world.submit(), world.submit()
    issue_merge(actor=deputy, main_id=main.pk, issue_ids=[case.pk])
    assert Issue.objects.get(pk=case.pk).merged_into_id == main.pk

    reviewed = drive_to(world, State.REVIEWED)
    with pytest.raises(ActionForbidden):
        issue_merge(actor=deputy, main_id=reviewed.pk, issue_ids=[world.submit().pk])


def test_the_villager_cannot_rate_a_merged_case_before_the_answer(world):
    _main, duplicates = group(world, n=1)
    with pytest.raises(IllegalTransition):
        services.issue_evaluate(issue_id=duplicates[0].pk, rating=Rating.SATISFIED, actor=VILLAGER)


def test_the_merged_villagers_page_tells_them_and_shows_nobody_elses_report(world, client):
    main = world.submit(content="东头第三根路灯坏了，孩子放学看不见路。")
    duplicate = world.submit(content="路灯坏了。")
    issue_merge(actor=staff(world), main_id=main.pk, issue_ids=[duplicate.pk])

    page = client.get(f"/t/{duplicate.tracking_code}/").content.decode()

    assert "与其他群众反映的同一问题合并办理" in page
    assert "东头第三根路灯" not in page and main.tracking_code not in page


def test_the_merged_villager_rates_the_answer_on_their_own_page(world, client):
    main, duplicates = group(world, n=1)
    services.issue_review(actor=staff(world), issue_id=main.pk)
    services.issue_reply(actor=staff(world), issue_id=main.pk, text=REPLY_TEXT)
    case = duplicates[0]

    client.post(f"/t/{case.tracking_code}/", {"rating": Rating.SATISFIED, "comment": ""})

    assert Evaluation.objects.get(issue=case).rating == Rating.SATISFIED
    assert not Evaluation.objects.filter(issue=main).exists()
    assert Issue.objects.get(pk=case.pk).state == State.EVALUATED


def test_a_second_unsatisfied_rating_in_the_group_escalates_the_main_case(world):
    main, duplicates = group(world)
    services.issue_review(actor=staff(world), issue_id=main.pk)
    for case in duplicates:  # each round, another villager of the group is unsatisfied
        services.issue_reply(actor=staff(world), issue_id=main.pk, text=REPLY_TEXT)
        services.issue_evaluate(issue_id=case.pk, rating=Rating.UNSATISFIED, comment="还是不亮。")

    reopens = [e.data for e in IssueEvent.objects.filter(issue=main, action=Action.REOPEN).order_by("pk")]
    assert "escalated" not in reopens[0] and reopens[1]["escalated"] == "township"
    assert Issue.objects.get(pk=main.pk).round == 3


def test_a_longer_deadline_of_the_main_case_reaches_its_merged_cases(world):
    main, duplicates = group(world, n=1)
    services.issue_review(actor=staff(world), issue_id=main.pk)
    main = Issue.objects.get(pk=main.pk)
    later = main.deadline + timedelta(days=1)

    services.issue_extend_deadline(actor=staff(world), issue_id=main.pk, deadline=later, reason="部门需要更多时间。")

    case = Issue.objects.get(pk=duplicates[0].pk)
    assert (case.deadline, case.state) == (later, State.REVIEWED)
    assert case.events.filter(action=Action.EXTEND).exists()


@pytest.mark.parametrize(
    ("person", "error"),
    [
        ("station_staff", None),
        ("admin", None),
        ("deputy_a_user", None),  # their own case, still new
        ("deputy_b_user", IssueNotFound),
        ("township_staff", ActionForbidden),
    ],
)
def test_who_may_undo_a_merge(world, person, error):
    main, duplicate = world.submit(), world.submit()  # new cases: a deputy acts on those only
    issue_merge(actor=staff(world), main_id=main.pk, issue_ids=[duplicate.pk])
    if error is None:
        issue_unmerge(actor=world.actor(person), issue_id=duplicate.pk)
        assert Issue.objects.get(pk=duplicate.pk).merged_into_id is None
    else:
        before = snapshot(duplicate.pk)
        with pytest.raises(error):
            issue_unmerge(actor=world.actor(person), issue_id=duplicate.pk)
        assert snapshot(duplicate.pk) == before
