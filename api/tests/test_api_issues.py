import pytest

from issues.models import IssueEvent, State
from issues.services import issue_accept, issue_reply, issue_review


def _accepted(world, **kwargs):
    issue = world.submit(**kwargs)
    issue_accept(actor=world.actor("station_staff"), issue_id=issue.pk)
    return issue


def test_the_list_shows_only_cases_in_the_users_scope(world, client_for):
    mine = world.submit()
    other = world.submit(deputy=world.deputy_b)
    ids = lambda name: {row["id"] for row in client_for(name).get("/api/issues/").json()["results"]}  # noqa: E731
    assert ids("deputy_a_user") == {mine.pk}
    assert ids("station_staff") == {mine.pk}
    assert ids("township_staff") == {mine.pk}
    assert ids("deputy_b_user") == {other.pk}
    assert ids("admin") == {mine.pk, other.pk}


def test_a_list_item_carries_the_fields_and_a_masked_phone(world, client_for):
    issue = world.submit(submitter_phone="13812345678")
    body = client_for("station_staff").get("/api/issues/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["submitter_phone"] == "138****5678"
    assert row["short_code"] == issue.short_code
    assert "tracking_code" not in row  # the villager's secret, the key to the rating
    assert row["state"] == "submitted" and row["channel"] == "deputy_qr" and row["overdue"] is False
    assert row["station"] == {"id": world.railway_point.pk, "name": world.railway_point.name}
    assert row["deputy"]["id"] == world.deputy_a.pk and row["category"]["id"] == world.category.pk
    assert row["deadline"]


def test_the_list_filters_orders_and_paginates(world, client_for):
    first, second, third = (world.submit(content=f"第{i}件事情，请尽快处理。") for i in range(3))
    issue_accept(actor=world.actor("station_staff"), issue_id=second.pk)
    client = client_for("station_staff")
    rows = client.get("/api/issues/", {"state": "accepted"}).json()["results"]
    assert [r["id"] for r in rows] == [second.pk]
    rows = client.get("/api/issues/", {"search": third.tracking_code}).json()["results"]
    assert [r["id"] for r in rows] == [third.pk]
    rows = client.get("/api/issues/", {"ordering": "created_at"}).json()["results"]
    assert [r["id"] for r in rows] == [first.pk, second.pk, third.pk]
    page = client.get("/api/issues/", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 1 and page["previous"]
    assert client.get("/api/issues/", {"page": 9}).status_code == 404
    bad = client.get("/api/issues/", {"state": "nonsense"})
    assert bad.status_code == 400 and "state" in bad.json()["error"]["fields"]


def _make(world, n):
    for _ in range(n):
        world.submit(submitter_phone="13812345678")


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_takes_the_same_number_of_queries_for_5_and_50_rows(
    world, client_for, rows, django_assert_max_num_queries
):
    _make(world, rows)
    client = client_for("station_staff")
    with django_assert_max_num_queries(8):
        response = client.get("/api/issues/")
    assert len(response.json()["results"]) == rows


def test_the_detail_has_the_timeline_and_the_available_actions(world, client_for):
    issue = world.submit(submitter_phone="13812345678")
    issue_accept(actor=world.actor("station_staff"), issue_id=issue.pk, note="先核实")
    body = client_for("station_staff").get(f"/api/issues/{issue.pk}/").json()
    assert body["content"] and body["submitter_phone"] == "138****5678"
    assert [e["action"] for e in body["timeline"]] == ["submit", "accept"]
    assert body["timeline"][1]["internal_note"] == "先核实"
    assert set(body["available_actions"]) == {"reject", "review", "reply"}
    assert client_for("township_staff").get(f"/api/issues/{issue.pk}/").json()["available_actions"] == []


def test_a_case_outside_the_scope_is_404_never_403(world, client_for):
    issue = world.submit(deputy=world.deputy_b)
    client = client_for("station_staff")
    assert client.get(f"/api/issues/{issue.pk}/").status_code == 404
    for action, body in [("accept", {}), ("reject", {"reason": "不属于本站"}), ("reply", {"text": "好"})]:
        response = client.post(f"/api/issues/{issue.pk}/{action}/", body, format="json")
        assert response.status_code == 404, action
        assert response.json()["error"]["code"] == "not_found"
    assert client.get("/api/issues/999999/").status_code == 404
    assert IssueEvent.objects.filter(issue=issue).count() == 1


def test_staff_accept_review_assign_and_reply_through_the_api(world, client_for):
    issue = world.submit()
    client = client_for("station_staff")
    steps = [
        ("accept", {"note": "收到"}, "accepted"),
        ("review", {"note": "核实属实"}, "reviewed"),
        ("assign", {"department_id": world.department.pk, "note": "请城建办处理"}, "assigned"),
        ("reply", {"text": "路灯已于今日修复。"}, "replied"),
    ]
    for action, body, state in steps:
        response = client.post(f"/api/issues/{issue.pk}/{action}/", body, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == state
    assert response.json()["department"]["id"] == world.department.pk
    assert response.json()["reply_text"] == "路灯已于今日修复。"


def test_a_deputy_rejects_a_new_case_with_a_reason(world, client_for):
    issue = world.submit()
    response = client_for("deputy_a_user").post(f"/api/issues/{issue.pk}/reject/", {"reason": "不属于人大职责"})
    assert response.status_code == 200
    assert response.json()["state"] == State.REJECTED and response.json()["rejection_reason"] == "不属于人大职责"


def test_a_transition_from_the_wrong_state_is_409(world, client_for):
    issue = world.submit()
    client = client_for("station_staff")
    response = client.post(f"/api/issues/{issue.pk}/review/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "illegal_transition"
    assert client.post(f"/api/issues/{issue.pk}/accept/", {}).status_code == 200
    assert client.post(f"/api/issues/{issue.pk}/accept/", {}).status_code == 409
    assert client.post(f"/api/issues/{issue.pk}/reopen/", {"reason": "再看看"}).status_code == 409


def test_a_role_that_may_not_take_the_action_gets_403(world, client_for):
    issue = _accepted(world)
    township = client_for("township_staff")
    assert township.post(f"/api/issues/{issue.pk}/reply/", {"text": "好"}).status_code == 403
    deputy = client_for("deputy_a_user")
    response = deputy.post(f"/api/issues/{issue.pk}/review/", {})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    # A deputy may reject only a case nobody accepted yet.
    assert deputy.post(f"/api/issues/{issue.pk}/reject/", {"reason": "不受理"}).status_code == 403


def test_bad_action_bodies_are_400(world, client_for):
    issue = _accepted(world)
    client = client_for("station_staff")
    assert client.post(f"/api/issues/{issue.pk}/review/", {}).status_code == 200
    response = client.post(f"/api/issues/{issue.pk}/assign/", {"department_id": 999999}, format="json")
    assert response.status_code == 400 and "department" in response.json()["error"]["fields"]
    response = client.post(f"/api/issues/{issue.pk}/assign/", {}, format="json")
    assert response.status_code == 400 and "department_id" in response.json()["error"]["fields"]
    response = client.post(f"/api/issues/{issue.pk}/reply/", {"text": "   "}, format="json")
    assert response.status_code == 400 and "text" in response.json()["error"]["fields"]


def test_staff_reopen_a_replied_case_with_a_new_deadline(world, client_for):
    issue = _accepted(world)
    staff = world.actor("station_staff")
    issue_review(actor=staff, issue_id=issue.pk)
    issue_reply(actor=staff, issue_id=issue.pk, text="已处理")
    client = client_for("station_staff")
    past = client.post(f"/api/issues/{issue.pk}/reopen/", {"reason": "村民来电", "deadline": "2000-01-01T00:00:00Z"})
    assert past.status_code == 400 and "deadline" in past.json()["error"]["fields"]
    response = client.post(
        f"/api/issues/{issue.pk}/reopen/", {"reason": "村民来电说没修好", "deadline": "2099-01-01T08:00:00+08:00"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == State.REVIEWED and body["round"] == 2
    assert body["deadline"].startswith("2099-01-01")
