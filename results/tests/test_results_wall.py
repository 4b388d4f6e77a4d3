"""The results wall (办理结果公示): nothing is published by default; station staff review a case
de-identified (the review lists what was removed) and publish it; a text with personal data left
in is refused; the station's public page shows the published results; the villager can take
their case down from the tracking page, and it is never published again."""

import re

import pytest
from django.urls import reverse

from issues.services import issue_accept, issue_reply, issue_review
from liaison.errors import ActionForbidden, IllegalTransition, InvalidInput, IssueNotFound
from results.models import Publication
from results.selectors import publishable_cases, wall_of
from results.services import publication_publish, publication_review, publication_take_down, publication_withdraw
from testsupport.twofactor import verified_login
from villagers.tests.conftest import zh

pytestmark = pytest.mark.django_db

PROBLEM = "我叫王秀英，住潮面村12号，家门口的路灯坏了三天。电话13805801234。"
ANSWER = "王秀英您好，已联系供电所，路灯明天修好。有问题找徐师傅。"


@pytest.fixture
def answered(world):
    issue = world.submit(content=PROBLEM, submitter_name="王秀英", submitter_phone="13805801234")
    staff = world.actor("station_staff")
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)
    issue_reply(actor=staff, issue_id=issue.pk, text=ANSWER)
    issue.refresh_from_db()
    return issue


def publish(world, issue, **texts) -> Publication:
    review = publication_review(actor=world.actor("station_staff"), issue_id=issue.pk)
    return publication_publish(
        actor=world.actor("station_staff"),
        issue_id=issue.pk,
        problem=texts.get("problem", review.problem.text),
        answer=texts.get("answer", review.answer.text),
    )


def test_nothing_is_published_by_default(client, world, answered):
    assert not Publication.objects.exists() and wall_of(world.railway_point) == []
    html = client.get(reverse("public:results", args=[world.railway_point.pk])).content.decode()
    assert zh("No result is published yet.") in html and "路灯" not in html


def test_the_review_shows_the_texts_de_identified_and_what_was_removed(world, answered):
    review = publication_review(actor=world.actor("station_staff"), issue_id=answered.pk)
    assert review.problem.text == "我叫王某，住潮面村××号，家门口的路灯坏了三天。电话[手机号]。"
    assert review.answer.text == "王某您好，已联系供电所，路灯明天修好。有问题找徐某。"
    assert [(r.label, r.text) for r in review.problem.removed] == [
        ("姓名", "王秀英"),
        ("手机号码", "13805801234"),
        ("门牌号", "12"),
    ]
    assert {r.text for r in review.answer.removed} == {"王秀英", "徐师傅"}
    assert not Publication.objects.exists()  # a review writes nothing


def test_staff_publish_and_the_station_wall_shows_the_result_without_personal_data(client, world, answered):
    publication = publish(world, answered)
    assert publication.station == world.railway_point and publication.published_by == world.station_staff
    assert publication.removed_counts == {"name": 3, "mobile": 1, "house_number": 1}
    html = client.get(reverse("public:results", args=[world.railway_point.pk])).content.decode()
    assert "路灯明天修好" in html and "××号" in html
    for personal in ("王秀英", "13805801234", "12号", "徐师傅"):
        assert personal not in html
    assert zh("Answered the same day") in html and "当天答复" in html
    assert answered.short_code not in html and answered.tracking_code not in html
    assert client.get(reverse("public:results", args=[world.xiushan_station.pk])).content.decode().count("路灯") == 0


def test_a_text_with_personal_data_left_in_is_refused_and_nothing_is_written(world, answered):
    with pytest.raises(InvalidInput) as refused:
        publish(world, answered, problem="王秀英反映路灯坏了，电话 138 0580 1234。")
    assert "手机号码“138 0580 1234”" in str(refused.value.message) and "姓名“王秀英”" in str(refused.value.message)
    with pytest.raises(InvalidInput):
        publish(world, answered, answer="  ")
    assert not Publication.objects.exists()


def test_only_answered_cases_of_ones_own_station_can_be_published(world, answered):
    fresh = world.submit()
    with pytest.raises(IllegalTransition):
        publication_review(actor=world.actor("station_staff"), issue_id=fresh.pk)
    with pytest.raises(ActionForbidden):  # the deputy sees the case but does not publish
        publication_review(actor=world.actor("deputy_a_user"), issue_id=answered.pk)
    with pytest.raises(IssueNotFound):  # another station's deputy: the case does not exist for them
        publication_review(actor=world.actor("deputy_b_user"), issue_id=answered.pk)
    with pytest.raises(ActionForbidden):  # township staff only read
        publication_review(actor=world.actor("township_staff"), issue_id=answered.pk)
    assert [c.pk for c in publishable_cases(world.station_staff)] == [answered.pk]
    assert publishable_cases(world.deputy_b_user) == []


def test_the_villager_takes_the_case_down_from_the_tracking_page_and_it_stays_down(client, world, answered):
    publish(world, answered)
    track = reverse("public:track", args=[answered.tracking_code])
    html = client.get(track).content.decode()
    assert zh("Your case is on the results wall") in html
    form = re.search(r'<form method="post" action="([^"]+)">', html[html.index("on-the-wall") :]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(form, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == track + "?taken_down=1"
    assert (
        zh("Your case was taken off the results wall. It will not be published again.")
        in client.get(response["Location"]).content.decode()
    )
    assert wall_of(world.railway_point) == []
    assert "路灯明天修好" not in client.get(reverse("public:results", args=[world.railway_point.pk])).content.decode()
    assert publishable_cases(world.station_staff) == []
    with pytest.raises(ActionForbidden):
        publish(world, answered)


def test_a_take_down_for_an_unknown_code_is_a_404_and_changes_nothing(client, world, answered):
    publish(world, answered)
    assert client.post("/t/not-a-code/take-down/").status_code == 404
    with pytest.raises(IssueNotFound):
        publication_take_down(tracking_code="x" * 100)
    assert wall_of(world.railway_point) != []


def test_staff_withdraw_a_result_and_may_publish_it_again(world, answered):
    publication = publish(world, answered)
    publication_withdraw(actor=world.actor("station_staff"), publication_id=publication.pk)
    assert wall_of(world.railway_point) == []
    assert [c.pk for c in publishable_cases(world.station_staff)] == [answered.pk]
    again = publish(world, answered)
    assert again.pk == publication.pk and again.is_live
    with pytest.raises(IllegalTransition):
        publish(world, answered)


def test_the_admin_review_page_lists_what_was_removed_and_publishes(client, world, answered):
    client.force_login(world.station_staff)
    cases = client.get(reverse("admin:results_publication_cases"))
    assert cases.status_code == 200 and answered.short_code in cases.content.decode()
    url = reverse("admin:results_publication_review", args=[answered.pk])
    page = client.get(url).content.decode()
    assert "“13805801234”" in page and "“徐师傅”" in page
    refused = client.post(url, {"problem": "王秀英说路灯坏了。", "answer": "已修好。"})
    assert refused.status_code == 200 and "王秀英" in refused.content.decode() and not Publication.objects.exists()
    done = client.post(url, {"problem": "路灯坏了三天。", "answer": "已联系供电所，路灯明天修好。"})
    assert done.status_code == 302 and Publication.objects.get().problem == "路灯坏了三天。"
    listing = client.get(reverse("admin:results_publication_changelist"))
    assert listing.status_code == 200 and answered.short_code in listing.content.decode()


def test_the_admin_review_of_another_stations_case_is_a_404(client, world):
    other = world.submit(station=world.xiushan_station, deputy=None)
    client.force_login(world.station_staff)
    assert client.get(reverse("admin:results_publication_review", args=[other.pk])).status_code == 404
    verified_login(client, world.admin)
    assert client.get(reverse("admin:results_publication_review", args=[other.pk])).status_code == 302  # not answered
