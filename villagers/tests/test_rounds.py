"""The villager's form forgives: every mistake shown at once with a summary at the top, and the
photos chosen in a round with mistakes kept (against the form's submission token) until the case
is sent, removable, private to that token, and gone once the form has expired."""

import datetime
import re

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from issues import clock
from issues.models import Attachment, Channel, Issue, KeptPhoto
from issues.photos import KEPT_PHOTO_MAX_AGE, MAX_PHOTOS
from issues.services import issue_submit
from issues.tasks import close_unevaluated_issues
from villagers.forms import SUBMISSION_TOKEN_MAX_AGE
from villagers.tests.conftest import jpeg_bytes, photo, zh

pytestmark = pytest.mark.django_db

TEXT = "村口路灯坏了三天，晚上看不见路。"


@pytest.fixture
def url(world):
    return reverse("public:deputy", args=[world.deputy_a.qr_token])


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def kept_ids_of(html: str) -> list[str]:
    return re.findall(r'name="kept" value="(\d+)"', html)


def fresh_token(client, url) -> str:
    return token_of(client.get(url).content.decode())


def summary_of(html: str) -> str:
    match = re.search(r'<div class="error-summary" id="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert match, "the page has no error summary"
    return match.group(1)


def failed_round_with_a_photo(client, url, **fields):
    """A round that fails (consent missing) with one good photo: the page shown again."""
    data = {"content": TEXT, "token": fresh_token(client, url), "phone": "13800138000", "photos": [photo()]}
    response = client.post(url, {**data, **fields})
    assert response.status_code == 400
    return response.content.decode()


# --- every mistake at once -------------------------------------------------------------------


def test_every_mistake_is_shown_at_once_in_a_summary_that_links_to_each_field(client, world, url):
    response = client.post(
        url,
        {
            "content": "灯坏",
            "category": "99999",
            "name": "王" * 60,
            "phone": "1234567",
            "token": fresh_token(client, url),
            "photos": [photo("scan.pdf", b"%PDF-1.4 not a photo")],
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    summary = summary_of(html)
    assert zh("Please fix these before sending") in summary
    expected = [
        ("f-content", zh("Please describe the problem in at least %(n)d characters.", n=5)),
        ("f-category", zh("Choose a category from the list.")),
        ("f-photos", zh("%(name)s: %(error)s", name="scan.pdf", error=zh("This file is not a photo we can read."))),
        ("f-name", zh("The name is too long (at most %(n)d characters).", n=50)),
        ("f-phone", zh("Please enter an 11-digit mobile number starting with 1.")),
        (
            "f-consent",
            zh("You left your name or phone number: please tick the box to agree that we use them for this case."),
        ),
    ]
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', summary)
    assert links == expected  # every field's mistake, in the order the page shows the fields
    for anchor, message in expected:
        assert f'id="{anchor}"' in html  # the link lands on the field
        assert html.count(message) == 2  # in the summary, and next to its field
    assert "<title>" + zh("Error:") in html
    assert Issue.objects.count() == 0


def test_the_forms_own_mistake_heads_the_summary_without_a_link(client, world, url):
    response = client.post(url, {"content": "灯坏", "token": "forged:token"})
    summary = summary_of(response.content.decode())
    message = zh("The form could not be verified. Please check your text and send it again.")
    assert f"<li>{message}</li>" in summary
    assert summary.index(message) < summary.index('href="#f-content"')


def test_a_blank_form_has_no_summary(client, world, url):
    html = client.get(url).content.decode()
    assert 'id="error-summary"' not in html


def test_every_bad_photo_is_named_and_the_good_one_is_kept(client, world, url):
    response = client.post(
        url,
        {
            "content": TEXT,
            "token": fresh_token(client, url),
            "photos": [photo("good.jpg"), photo("empty.jpg", b""), photo("fake.jpg", b"not a picture at all")],
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert zh("%(name)s: %(error)s", name="fake.jpg", error=zh("This file is not a photo we can read.")) in html
    kept = KeptPhoto.objects.get()
    assert kept.original_name == "good.jpg" and kept_ids_of(html) == [str(kept.pk)]
    assert Issue.objects.count() == 0


# --- kept photos -------------------------------------------------------------------------------


def test_a_photo_survives_a_failed_round_and_becomes_the_cases_only_attachment(client, world, url):
    html = failed_round_with_a_photo(client, url)
    kept = KeptPhoto.objects.get()
    assert kept_ids_of(html) == [str(kept.pk)]
    assert zh("If you chose photos before, please choose them again.") not in html
    assert "photo.jpg" in html  # shown by the name the villager knows it by

    fixed = {
        "content": TEXT,
        "token": token_of(html),
        "phone": "13800138000",
        "consent": "1",
        "kept": kept_ids_of(html),
    }
    sent = client.post(url, fixed)
    assert sent.status_code == 302
    issue = Issue.objects.get()
    attachment = Attachment.objects.get()
    assert attachment.issue == issue and attachment.image.name == kept.image.name  # the same file, handed over
    assert (attachment.width, attachment.height, attachment.size) == (kept.width, kept.height, kept.size)
    assert default_storage.exists(attachment.image.name)
    assert not KeptPhoto.objects.exists()
    assert issue.events.get().data == {"photos": 1}

    again = client.post(url, fixed)  # a double tap, or the browser sending the form once more
    assert again.status_code == 302 and again["Location"] == sent["Location"]
    assert Issue.objects.count() == 1 and Attachment.objects.count() == 1


def test_the_page_carries_the_same_token_on_so_the_rounds_are_one_submission(client, world, url):
    token = fresh_token(client, url)
    first = client.post(url, {"content": "灯坏", "token": token, "photos": [photo()]}).content.decode()
    assert token_of(first) == token
    second = client.post(url, {"content": "灯坏", "token": token, "kept": kept_ids_of(first), "photos": [photo()]})
    html = second.content.decode()
    assert token_of(html) == token and len(kept_ids_of(html)) == 2 == KeptPhoto.objects.count()


def test_kept_and_newly_chosen_photos_are_sent_together_kept_ones_first(client, world, url):
    html = failed_round_with_a_photo(client, url)
    wide = photo("wide.jpg", jpeg_bytes((120, 40)))
    response = client.post(
        url,
        {"content": TEXT, "token": token_of(html), "kept": kept_ids_of(html), "photos": [wide]},
    )
    assert response.status_code == 302
    sizes = [(a.width, a.height) for a in Issue.objects.get().attachments.all()]
    assert sizes == [(64, 48), (120, 40)]


def test_removing_a_kept_photo_forgets_it_and_keeps_the_text(client, world, url):
    html = failed_round_with_a_photo(client, url)
    kept = KeptPhoto.objects.get()
    response = client.post(
        url,
        {
            "content": TEXT,
            "token": token_of(html),
            "phone": "13800138000",
            "kept": [str(kept.pk)],
            "remove_photo": kept.pk,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200  # nothing was judged: no mistakes shown
    assert zh("The photo was removed.") in page
    assert 'id="error-summary"' not in page
    assert f">{TEXT}</textarea>" in page and 'value="13800138000"' in page
    assert kept_ids_of(page) == []
    assert not KeptPhoto.objects.exists() and not default_storage.exists(kept.image.name)
    assert Issue.objects.count() == 0


def test_someone_elses_token_can_neither_see_nor_remove_nor_send_a_kept_photo(client, world, url):
    html = failed_round_with_a_photo(client, url)
    kept = KeptPhoto.objects.get()
    thumbnail = re.search(r'<img src="(/f/[^"]+)"', html).group(1)
    assert thumbnail == reverse("public:kept-photo", args=[token_of(html), kept.pk])
    mine = client.get(thumbnail)
    assert mine.status_code == 200 and mine["Content-Type"] == "image/jpeg"
    assert "private" in mine["Cache-Control"]

    other = fresh_token(client, url)
    assert client.get(reverse("public:kept-photo", args=[other, kept.pk])).status_code == 404
    assert client.get(reverse("public:kept-photo", args=["forged:token", kept.pk])).status_code == 404

    removal = client.post(url, {"content": TEXT, "token": other, "kept": [str(kept.pk)], "remove_photo": kept.pk})
    assert kept_ids_of(removal.content.decode()) == []
    assert KeptPhoto.objects.filter(pk=kept.pk).exists() and default_storage.exists(kept.image.name)

    sending = client.post(url, {"content": TEXT, "token": other, "kept": [str(kept.pk)]})
    assert sending.status_code == 400
    assert zh("A photo you chose earlier is no longer kept. Please choose it again.") in sending.content.decode()
    assert Issue.objects.count() == 0 and KeptPhoto.objects.filter(pk=kept.pk).exists()


def test_the_photo_limit_counts_kept_and_new_photos_together(client, world, url):
    token = fresh_token(client, url)
    first = client.post(url, {"content": "灯坏", "token": token, "photos": [photo(), photo()]}).content.decode()
    kept = kept_ids_of(first)
    assert len(kept) == 2

    too_many = client.post(url, {"content": TEXT, "token": token, "kept": kept, "photos": [photo(), photo()]})
    html = too_many.content.decode()
    assert too_many.status_code == 400
    message = zh(
        "At most %(n)d photos: %(kept)d are kept already, so choose at most %(left)d more.",
        n=MAX_PHOTOS,
        kept=2,
        left=MAX_PHOTOS - 2,
    )
    assert message in summary_of(html)
    assert KeptPhoto.objects.count() == 2 and kept_ids_of(html) == kept
    assert Issue.objects.count() == 0

    full = client.post(url, {"content": "灯坏", "token": token, "kept": kept, "photos": [photo()]}).content.decode()
    assert len(kept_ids_of(full)) == MAX_PHOTOS
    assert 'name="photos"' not in full  # nothing more to choose: the page says to remove one first
    assert zh("%(n)s photos are kept: that is the most one case can have. Remove one to choose another.", n=3) in full


def test_the_service_refuses_more_kept_and_new_photos_than_a_case_may_have(world):
    from liaison.errors import InvalidInput

    with pytest.raises(InvalidInput):
        issue_submit(
            channel=Channel.DEPUTY_QR,
            deputy_id=world.deputy_a.pk,
            content=TEXT,
            photos=[photo(), photo()],
            kept_photo_ids=[1, 2],
            idempotency_key="form:some-nonce-of-16-chars",
        )
    assert Issue.objects.count() == 0


def test_an_expired_token_keeps_this_rounds_photos_under_a_fresh_one(client, world, url, monkeypatch):
    from django.core import signing

    token = fresh_token(client, url)
    real_loads = signing.loads
    monkeypatch.setattr(
        signing, "loads", lambda value, **kw: real_loads(value, **{**kw, "max_age": -1 if kw.get("max_age") else None})
    )
    response = client.post(url, {"content": TEXT, "token": token, "photos": [photo()]})
    html = response.content.decode()
    assert zh("This page was open for a long time. Please check your text and send it again.") in html
    assert token_of(html) != token
    assert KeptPhoto.objects.get().submission_key != f"form:{signing.loads(token, salt='villagers.submission')}"
    monkeypatch.undo()
    sent = client.post(url, {"content": TEXT, "token": token_of(html), "kept": kept_ids_of(html)})
    assert sent.status_code == 302 and Issue.objects.get().attachments.count() == 1


def test_kept_photos_of_forms_never_sent_expire_with_their_files(client, world, url):
    assert datetime.timedelta(seconds=SUBMISSION_TOKEN_MAX_AGE) < KEPT_PHOTO_MAX_AGE  # never before its form
    failed_round_with_a_photo(client, url)
    old = KeptPhoto.objects.get()
    later = clock.now() + KEPT_PHOTO_MAX_AGE + datetime.timedelta(minutes=1)
    with clock.frozen_at(later):
        html = failed_round_with_a_photo(client, url)  # another villager's, still young
        close_unevaluated_issues()  # the periodic task that expires what waited too long
    young = KeptPhoto.objects.get()
    assert young.pk != old.pk and kept_ids_of(html) == [str(young.pk)]
    assert not default_storage.exists(old.image.name) and default_storage.exists(young.image.name)


def test_a_kept_photo_that_expired_is_asked_for_again(client, world, url):
    html = failed_round_with_a_photo(client, url)
    with clock.frozen_at(clock.now() + KEPT_PHOTO_MAX_AGE + datetime.timedelta(minutes=1)):
        close_unevaluated_issues()
    response = client.post(url, {"content": TEXT, "token": token_of(html), "kept": kept_ids_of(html)})
    page = response.content.decode()
    assert response.status_code == 400
    assert zh("A photo you chose earlier is no longer kept. Please choose it again.") in page
    assert zh("If you chose photos before, please choose them again.") in page
    assert Issue.objects.count() == 0


def test_a_kept_thumbnail_is_small(client, world, url):
    big = photo("big.jpg", jpeg_bytes((2000, 1500)))
    html = failed_round_with_a_photo(client, url, photos=[big])
    thumbnail = client.get(re.search(r'<img src="(/f/[^"]+)"', html).group(1))
    from io import BytesIO

    with Image.open(BytesIO(thumbnail.content)) as image:
        assert max(image.size) <= 240


# --- the fast path ---------------------------------------------------------------------------


def test_a_case_without_photos_costs_the_page_no_query_beyond_the_services_own(
    client, world, url, django_assert_num_queries
):
    def submit_directly(key: str) -> int:
        with CaptureQueriesContext(connection) as service:
            issue_submit(
                channel=Channel.DEPUTY_QR,
                deputy_token=world.deputy_a.qr_token,
                content=TEXT,
                category_id=world.category.pk,
                idempotency_key=key,
            )
        return len(service.captured_queries)

    submit_directly("x:warm-up")  # what the process caches on its first case (the working-day calendar)
    expected = submit_directly("x:measured")
    token = fresh_token(client, url)  # the page is seen first, as a villager does
    with django_assert_num_queries(expected) as page:
        response = client.post(url, {"content": TEXT, "category": str(world.category.pk), "token": token})
    assert response.status_code == 302
    assert not [q for q in page.captured_queries if "keptphoto" in q["sql"].lower()]
