"""The villager's path: a deputy's or a station's page with the form, the receipt, the tracking
page with the rating form, and the lookup on the home page. Thin: parse, call a service or a
selector, render. Every page is Chinese and works without JavaScript."""

from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from issues.metoo import public_calls_of
from issues.models import OPEN_STATES, Attachment, Channel
from issues.selectors import awaiting_rating, issue_by_tracking_code, public_timeline
from issues.services import issue_evaluate
from issues.sms.service import is_opted_out, sms_opt_out
from issues.validators import mask_phone
from liaison.errors import IllegalTransition, InvalidInput
from liaison.qr import qr_png
from liaison.ratelimit import RateLimited, client_ip, hit
from villagers.errors import not_found, villager_page
from villagers.forms import LookupForm, RatingForm, submission_key
from villagers.lookup import look_up
from villagers.selectors import deputy_page, kept_photo_of_form, station_page, voice_note_of
from villagers.sending import cached_form_page, form_page, kept_photo_nonce, kept_round, send
from villagers.wording import STATE_TEXT, deadline_text, tracking_url

# --- the deputy's and the station's page ------------------------------------------------------


@villager_page
@require_http_methods(["GET", "HEAD", "POST"])
def deputy(request, token: str):
    current = None
    if request.method == "POST":
        from villagers.queued import queued_to_station

        rerouted = queued_to_station(request, token)  # sent late from the phone's outbox
        if rerouted is not None:
            return rerouted
        # issue_submit reads the token afresh (sending never trusts the page cache) and refuses
        # a code that no longer takes cases; the page below then says where to turn instead.
        outcome = send(request, channel=Channel.DEPUTY_QR, deputy_token=token, rate_key=f"d:{token}")
        if isinstance(outcome, HttpResponse):
            return outcome
        current = outcome
        page = deputy_page(token)
    else:
        hit("page_ip", client_ip(request))
        cached = cached_form_page(request, f"d:{token}")
        if cached is not None:
            return cached
        page = deputy_page(token)
    if page is None:
        return not_found(request)
    if page.moved_to is not None:
        return _moved(request, page.moved_to)
    return form_page(request, _deputy_context(page), current, cache_as=f"d:{token}")


@villager_page
@require_http_methods(["GET", "HEAD", "POST"])
def station(request, token: str):
    current = None
    if request.method == "POST":
        page = station_page(token)
        if page is not None and page.moved_to is None:
            outcome = send(
                request,
                channel=Channel.STATION_QR,
                station_id=page.station.pk,
                deputy_id=page.duty_deputy.pk if page.duty_deputy else None,  # the duty deputy gets it too
                rate_key=f"s:{token}",
            )
            if isinstance(outcome, HttpResponse):
                return outcome
            current = outcome
    else:
        hit("page_ip", client_ip(request))
        cached = cached_form_page(request, f"s:{token}")
        if cached is not None:
            return cached
        page = station_page(token)
    if page is None:
        return not_found(request)
    if page.moved_to is not None:
        return _moved(request, page.moved_to)
    return form_page(request, _station_context(page), current, cache_as=f"s:{token}")


def _deputy_context(page) -> dict:
    from villagers.directory import deputy_reception_days

    return {
        "kind": "deputy",
        "deputy": page.deputy,
        "stations": page.stations,
        "reception_days": deputy_reception_days(page.deputy),
    }


def _station_context(page, notice: str = "") -> dict:
    from activities.models import Kind
    from activities.selectors import upcoming_public_events
    from villagers.directory import station_reception_days

    return {
        "kind": "station",
        "station": page.station,
        "deputies": page.deputies,
        "duty_deputy": page.duty_deputy,
        # The reception days in a list of their own (villagers.directory); here the activities.
        "upcoming": [e for e in upcoming_public_events(page.station, days=60) if e.kind != Kind.RECEPTION_DAY][:6],
        "reception_days": station_reception_days(page.station),
        "notice": notice,
        "calls": public_calls_of(page.station),  # "me too" (villagers.metoo_views)
    }


def _moved(request, stations):
    """A rotated token, or a deputy who no longer serves: send the villager to the station. A
    form posted to it is shown again on the station's page with the text kept, nothing written."""
    if request.method == "POST" and len(stations) == 1:
        page = station_page(stations[0].qr_token)
        if page is not None and page.station is not None:
            notice = _("This QR code is no longer in use. Your text is kept below: you can send it to %(station)s.") % {
                "station": page.station.name
            }
            context = _station_context(page, notice)
            return form_page(request, context, kept_round(request), status=409, action=_station_url(page.station))
    hit("page_ip", client_ip(request))
    status = 409 if request.method == "POST" else 200
    return render(
        request,
        "public/moved.html",
        {"stations": stations, "kept_text": request.POST.get("content", "") if request.method == "POST" else ""},
        status=status,
    )


def _station_url(station) -> str:
    return reverse("public:station", args=[station.qr_token])


def submission_after_csrf_failure(request, match):
    """The CSRF check failed on a villager's form (cookies off, an old tab): show the form again
    with the text and the kept photos; nothing was written."""
    message = _("The page's security check failed. Your text is kept: please tap “Send” again.")
    if match.func is deputy:
        page = deputy_page(match.kwargs["token"])
        context = _deputy_context(page) if page is not None and page.moved_to is None else None
    else:
        page = station_page(match.kwargs["token"])
        context = _station_context(page) if page is not None and page.moved_to is None else None
    if context is None:
        return not_found(request)
    return form_page(request, context, kept_round(request, message), status=403)


# --- after sending --------------------------------------------------------------------------


@villager_page
@require_http_methods(["GET", "HEAD"])
def receipt(request, tracking_code: str):
    hit("page_ip", client_ip(request))
    issue = issue_by_tracking_code(tracking_code)
    if issue is None:
        return not_found(request)
    context = {
        "issue": issue,
        "track_url": tracking_url(issue),
        "deadline_text": deadline_text(issue),
        # Set by the form when the villager ticked 匿名 and still typed a name or a phone.
        "contact_dropped": request.GET.get("contact") == "dropped" and not issue.submitter_phone,
        # Set by villagers.queued: a case sent late from the phone went to the station instead.
        "moved_to_station": request.GET.get("moved") == "1",
    }
    return render(request, "public/receipt.html", context)


@villager_page
@require_http_methods(["GET", "HEAD"])
def tracking_qr(request, tracking_code: str):
    """The QR code of a case's tracking link, for its receipt: only the link's holder can ask."""
    hit("page_ip", client_ip(request))
    issue = issue_by_tracking_code(tracking_code)
    if issue is None:
        return not_found(request)
    response = HttpResponse(qr_png(tracking_url(issue)), content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@villager_page
@require_http_methods(["GET", "HEAD", "POST"])
def track(request, tracking_code: str):
    # Counted before the code is looked up: a code that names no case costs the same as one that
    # does, and takes as long to count, so that neither the limit nor its timing tells them apart.
    hit("evaluate_ip" if request.method == "POST" else "page_ip", client_ip(request))
    issue = issue_by_tracking_code(tracking_code)
    if issue is None:
        return not_found(request, _("No case has this tracking code. Please check the link on your receipt."))
    can_rate = awaiting_rating(issue)
    form = RatingForm()
    status = 200
    if request.method == "POST":
        form = RatingForm(request.POST)
        status = 400
        if not can_rate:
            form.add_error(None, _("This answer cannot be rated now (it may have been rated already)."))
            status = 409
        elif form.is_valid():
            try:
                issue_evaluate(
                    issue_id=issue.pk, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
                )
            except InvalidInput as error:
                form.add_error(error.field if error.field in ("rating", "comment") else None, str(error.message))
            except IllegalTransition as error:
                form.add_error(None, str(error.message))
            else:
                return redirect(reverse("public:track", args=[issue.tracking_code]) + "?rated=1")
    context = {
        **_progress_context(issue),
        "photos": list(issue.attachments.only("pk")),
        "voice_note": voice_note_of(issue),
        "masked_phone": mask_phone(issue.submitter_phone),
        "can_rate": can_rate,
        "form": form,
        "values": form.data,
        "rated": request.GET.get("rated") == "1",
        **_publication_context(request, issue),
        "sms_on": issue.sms_consent and not is_opted_out(issue),
        "sms_stopped": issue.sms_consent and request.GET.get("sms") == "stopped",
    }
    return render(request, "public/track.html", context, status=status)


def _publication_context(request, issue) -> dict:
    """The case on the results wall, for the tracking page's take-down request."""
    from results.selectors import publication_of

    return {"publication": publication_of(issue), "taken_down": request.GET.get("taken_down") == "1"}


@require_http_methods(["POST"])
def sms_stop(request, tracking_code: str):
    """不再接收短信: the holder of the tracking code stops the texts to the case's number."""
    hit("page_ip", client_ip(request))
    issue = issue_by_tracking_code(tracking_code)
    if issue is None:
        return not_found(request, _("No case has this tracking code. Please check the link on your receipt."))
    sms_opt_out(issue=issue)
    return redirect(reverse("public:track", args=[issue.tracking_code]) + "?sms=stopped")


def _progress_context(issue) -> dict:
    """Where a case stands, as both the tracking page and the lookup's result show it."""
    return {
        "issue": issue,
        "state_text": STATE_TEXT.get(issue.state, ""),
        "is_open": issue.state in OPEN_STATES,
        "deadline_text": deadline_text(issue),
        "reopened": issue.round > 1 and issue.state in OPEN_STATES,
        "timeline": public_timeline(issue),
    }


@villager_page
@require_http_methods(["GET", "HEAD", "POST"])
def home(request):
    form = LookupForm()
    status = 200
    if request.method == "POST":
        hit("lookup_ip", client_ip(request))
        form = LookupForm(request.POST)
        if form.is_valid():
            try:
                issue = look_up(form.cleaned_data["code"], form.cleaned_data["phone_last4"])
            except RateLimited as locked:
                return _lookup_paused(request, form, locked.retry_after)
            if issue is not None:
                return _lookup_result(request, issue)
            # One answer whether the code is unknown or its case needs the phone's digits: the
            # form never tells which codes exist.
            form.add_error(
                None,
                _(
                    "No case matches. Check the code on your receipt; if you left a phone number, "
                    "also enter its last four digits."
                ),
            )
        status = 400
    else:
        hit("page_ip", client_ip(request))
    return render(request, "public/home.html", {"form": form, "values": form.data}, status=status)


def _lookup_result(request, issue):
    """Where the case stands, read-only. Staff know a case's query code and may see its phone, so
    these two must not open what only the villager holds: the tracking code (the key to the
    rating) is never on this page, and no rating form either."""
    issue = issue_by_tracking_code(issue.tracking_code)
    response = render(request, "public/progress.html", _progress_context(issue))
    response["Cache-Control"] = "no-store"
    return response


def _lookup_paused(request, form, retry_after: int):
    minutes = max(1, (retry_after + 59) // 60)
    form.add_error(
        None,
        _(
            "This code was tried too many times with wrong digits, so looking it up here is paused for "
            "%(minutes)d minutes. You can follow your case at any time with the link or QR code on your receipt."
        )
        % {"minutes": minutes},
    )
    response = render(request, "public/home.html", {"form": form, "values": form.data}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


# --- photos ----------------------------------------------------------------------------------


def photo_response(attachment: Attachment) -> HttpResponse:
    response = FileResponse(attachment.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response


@villager_page
@require_http_methods(["GET", "HEAD"])
def submitter_photo(request, tracking_code: str, attachment_id: int):
    """A photo of a case, for the holder of its tracking link only."""
    hit("page_ip", client_ip(request))  # before the lookup, as on the tracking page
    attachment = Attachment.objects.filter(pk=attachment_id, issue__tracking_code=tracking_code).first()
    if attachment is None or len(tracking_code) > 64:
        return not_found(request)
    return photo_response(attachment)


@villager_page
@require_http_methods(["GET", "HEAD"])
def kept_photo(request, token: str, photo_id: int):
    """A small picture of a photo kept for a form that is not sent yet, for the holder of that
    form's submission token only (it is in their page and nowhere else)."""
    import io

    from PIL import Image

    hit("page_ip", client_ip(request))
    nonce = kept_photo_nonce(token) if len(token) <= 200 else None
    photo = kept_photo_of_form(submission_key(nonce), photo_id) if nonce else None
    if photo is None:
        return not_found(request)
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        image.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))  # decodes a JPEG at a fraction of its size
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=80)
    response = HttpResponse(out.getvalue(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


THUMBNAIL_SIDE = 240  # pixels: sharp at 80 CSS px on a phone's dense screen


@villager_page
@require_http_methods(["GET", "HEAD"])
def deputy_photo(request, token: str):
    """The deputy's portrait on their page and posters: public, like the poster on the door."""
    import mimetypes

    page = deputy_page(token)
    if page is None or page.deputy is None or not page.deputy.photo:
        return not_found(request)
    content_type = mimetypes.guess_type(page.deputy.photo.name)[0] or "application/octet-stream"
    if not content_type.startswith("image/"):
        return not_found(request)
    response = FileResponse(page.deputy.photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
