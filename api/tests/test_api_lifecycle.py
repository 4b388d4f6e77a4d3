"""A case's whole life, driven only through the API, as an app would."""

from issues.models import IssueEvent


def test_a_case_goes_from_anonymous_submission_to_a_satisfied_rating_through_the_api(world, anon, client_for):
    receipt = anon.post(
        "/api/public/issues/",
        {
            "deputy_token": world.deputy_a.qr_token,
            "content": "村口路灯坏了三天，晚上看不见路。",
            "phone": "13812345678",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="app-7f3a",
    )
    assert receipt.status_code == 201
    code = receipt.json()["tracking_code"]
    public, evaluation = f"/api/public/issues/{code}/", f"/api/public/issues/{code}/evaluation/"

    deputy, staff = client_for("deputy_a_user"), client_for("station_staff")
    [row] = staff.get("/api/issues/", {"search": code}).json()["results"]
    pk = row["id"]

    def act(client, action, body=None):
        response = client.post(f"/api/issues/{pk}/{action}/", body or {}, format="json")
        assert response.status_code == 200, (action, response.json())
        return response.json()

    assert act(deputy, "accept")["state"] == "accepted"
    assert act(staff, "review", {"note": "内部：已核实"})["state"] == "reviewed"
    assert act(staff, "assign", {"department_id": world.department.pk})["state"] == "assigned"
    assert act(staff, "reply", {"text": "城建办已派人检修。"})["state"] == "replied"

    unsatisfied = anon.post(evaluation, {"rating": "unsatisfied", "comment": "还是不亮"}, format="json")
    assert unsatisfied.status_code == 200
    # 不满意 reopens the case at once: round 2, in the station's hands (a person decides what next).
    assert (unsatisfied.json()["state"], unsatisfied.json()["round"]) == ("reviewed", 2)
    reopen = staff.post(f"/api/issues/{pk}/reopen/", {"reason": "村民不满意"}, format="json")
    assert reopen.status_code == 409  # already reopened by the rating

    detail = staff.get(f"/api/issues/{pk}/").json()
    assert detail["round"] == 2 and "reply" in detail["available_actions"]
    assert act(staff, "reply", {"text": "已更换灯泡和线路。"})["state"] == "replied"
    satisfied = anon.post(evaluation, {"rating": "satisfied", "comment": "修好了，谢谢"}, format="json")
    assert satisfied.status_code == 200 and satisfied.json()["state"] == "evaluated"

    body = anon.get(public).json()
    assert body["state"] == "evaluated" and body["rating"] == "satisfied" and body["awaiting_rating"] is False
    assert [e["action"] for e in body["timeline"]] == [
        "submit", "accept", "review", "assign", "reply", "evaluate", "reopen", "reply", "evaluate",
    ]  # fmt: skip
    assert body["timeline"][4]["message"] == "城建办已派人检修。"
    assert body["timeline"][-1]["message"] == "修好了，谢谢"
    assert body["reply"] == "已更换灯泡和线路。"
    text = str(body)
    assert "内部" not in text and "station_staff" not in text and "13812345678" not in text
    # The staff timeline holds the same events, with who did what.
    events = IssueEvent.objects.filter(issue_id=pk)
    assert events.filter(actor=world.deputy_a_user, action="accept").exists()
    assert events.filter(action="reopen", actor_kind="system").count() == 1
