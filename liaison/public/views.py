"""The villager's path: a deputy's or a station's page with the form, the receipt, the tracking
page with the rating form, and the lookup on the home page. Thin: parse, call a service or a
selector, render. Every page is Chinese and works without JavaScript."""

from django.core.cache import cache
from django.forms.utils import ErrorDict
from django.http import FileResponse, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from issues.errors import IdempotencyConflict, IllegalTransition, InvalidInput
from issues.models import OPEN_STATES, Attachment, Channel, State
from issues.photos import MAX_PHOTOS
from issues.selectors import awaiting_rating, issue_by_tracking_code, public_timeline
from issues.services import issue_evaluate, issue_submit
from issues.validators import CONTENT_MAX, CONTENT_MIN, mask_phone
from liaison.public.errors import not_found, villager_page
from liaison.public.forms import LookupForm, RatingForm, SubmissionForm, new_submission_token
from liaison.public.selectors import (
    PAGE_CACHE_SECONDS,
    deputy_page,
    issue_by_receipt,
    public_categories,
    station_page,
)
from liaison.ratelimit import client_ip, hit

# What a villager reads for each state: plain words, no process jargon.
STATE_TEXT = {
    State.SUBMITTED: gettext_lazy("Received. Waiting for the deputy to accept it."),
    State.ACCEPTED: gettext_lazy("Accepted by the deputy."),
    State.REVIEWED: gettext_lazy("The liaison station is handling it."),
    State.ASSIGNED: gettext_lazy("Handed to the responsible department."),
    State.REPLIED: gettext_lazy("Answered. Please rate the answer."),
    State.EVALUATED: gettext_lazy("Finished. Thank you for your rating."),
    State.CLOSED: gettext_lazy("Finished (not rated)."),
    State.REJECTED: gettext_lazy("Not accepted. See the reason below."),
}


# --- the deputy's and the station's page ------------------------------------------------------


@villager_page
@require_http_methods(["GET", "HEAD", "POST"])
def deputy(request, token: str):
    form = None
    if request.method == "POST":
        # issue_submit reads the token afresh (sending never trusts the page cache) and refuses
        # a code that no longer takes cases; the page below then says where to turn instead.
        outcome = _send(request, channel=Channel.DEPUTY_QR, deputy_token=token, rate_key=f"d:{token}")
        if isinstance(outcome, HttpResponse):
            return outcome
        form = outcome
        page = deputy_page(token)
    else:
        hit("page_ip", client_ip(request))
        cached = _cached_form_page(request, f"d:{token}")
        if cached is not None:
            return cached
        page = deputy_page(token)
    if page is None:
        return not_found(request)
    if page.moved_to is not None:
        return _moved(request, page.moved_to)
    return _form_page(request, _deputy_context(page), form, cache_as=f"d:{token}")


@villager_page
@require_http_methods(["GET", "HEAD", "POST"])
def station(request, token: str):
    form = None
    if request.method == "POST":
        page = station_page(token)
        if page is not None and page.moved_to is None:
            outcome = _send(
                request,
                channel=Channel.STATION_QR,
                station_id=page.station.pk,
                deputy_id=page.duty_deputy.pk if page.duty_deputy else None,  # the duty deputy gets it too
                rate_key=f"s:{token}",
            )
            if isinstance(outcome, HttpResponse):
                return outcome
            form = outcome
    else:
        hit("page_ip", client_ip(request))
        cached = _cached_form_page(request, f"s:{token}")
        if cached is not None:
            return cached
        page = station_page(token)
    if page is None:
        return not_found(request)
    if page.moved_to is not None:
        return _moved(request, page.moved_to)
    return _form_page(request, _station_context(page), form, cache_as=f"s:{token}")


def _deputy_context(page) -> dict:
    return {"kind": "deputy", "deputy": page.deputy, "stations": page.stations, "next_duty": page.next_duty}


def _station_context(page, notice: str = "") -> dict:
    from activities.selectors import upcoming_public_events

    return {
        "kind": "station",
        "station": page.station,
        "deputies": page.deputies,
        "duty_deputy": page.duty_deputy,
        "upcoming": upcoming_public_events(page.station, days=60)[:6],
        "notice": notice,
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
            return _form_page(request, context, _kept_form(request), status=409, action=_station_url(page.station))
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


def _send(request, *, channel, rate_key, station_id=None, deputy_id=None, deputy_token=""):
    """Send the posted form: the redirect to the receipt, a refusal, or the form with its errors."""
    hit("submit_ip", client_ip(request))
    hit("submit_code", rate_key)
    form = SubmissionForm(request.POST)
    if form.is_bot:
        return render(
            request,
            "public/message.html",
            {"title": _("Not sent"), "message": _("Your message could not be sent.")},
            status=400,
        )
    if form.is_valid():
        data = form.cleaned_data
        try:
            issue = issue_submit(
                channel=channel,
                content=data["content"],
                station_id=station_id,
                deputy_id=deputy_id,
                deputy_token=deputy_token,
                category_id=data["category"],
                submitter_name=data["name"],
                submitter_phone=data["phone"],
                photos=request.FILES.getlist("photos"),
                idempotency_key=form.idempotency_key,
            )
        except InvalidInput as error:
            form.add_service_error(error)
        except IdempotencyConflict:
            form.add_error(None, _("This form was already sent with other text. Please check it and send again."))
        else:
            return redirect("public:receipt", tracking_code=issue.tracking_code)
    return form


def _kept_form(request, message: str = "") -> SubmissionForm:
    """The posted form, to show the villager's text again without judging it."""
    form = SubmissionForm(request.POST)
    form.is_valid()
    form._errors = ErrorDict()
    if message:
        form.add_error(None, message)
    return form


# A QR page is the same for every villager but for its two hidden tokens: the blank form is
# rendered once per code (for PAGE_CACHE_SECONDS) with slots that each request fills in.
_CSRF_SLOT = "\x00csrf\x00"
_TOKEN_SLOT = "\x00token\x00"  # noqa: S105 (a placeholder)


def _page_cache_key(code: str) -> str | None:
    if len(code) > 80:
        return None
    return f"public:page:{get_language()}:{timezone.localdate()}:{code}"


def _fill_slots(request, html: str) -> HttpResponse:
    html = html.replace(_CSRF_SLOT, get_token(request), 1).replace(_TOKEN_SLOT, new_submission_token(), 1)
    return HttpResponse(html)


def _cached_form_page(request, code: str) -> HttpResponse | None:
    key = _page_cache_key(code)
    html = cache.get(key) if key else None
    return _fill_slots(request, html) if html is not None else None


def _form_page(request, context, form=None, *, status=None, action="", cache_as=""):
    if form is None:
        form = SubmissionForm()
    if status is None:
        status = 400 if form.is_bound else 200
    context = {
        **context,
        "form": form,
        "values": form.data,
        "action": action,
        "csrf_slot": _CSRF_SLOT,
        "submission_token": _TOKEN_SLOT,
        "category_choices": [(c.pk, c.name) for c in public_categories()],
        "content_min": CONTENT_MIN,
        "content_max": CONTENT_MAX,
        "max_photos": MAX_PHOTOS,
        "sending_text": _("Sending, please wait…"),
    }
    html = render_to_string("public/submit.html", context)
    key = _page_cache_key(cache_as) if cache_as and not form.is_bound else None
    if key:
        cache.set(key, html, PAGE_CACHE_SECONDS)
    response = _fill_slots(request, html)
    response.status_code = status
    return response


def submission_after_csrf_failure(request, match):
    """The CSRF check failed on a villager's form (cookies off, an old tab): show the form again
    with the text kept and a fresh token; nothing was written."""
    message = _("The page's security check failed. Your text is kept: please tap “Send” again.")
    if match.func is deputy:
        page = deputy_page(match.kwargs["token"])
        context = _deputy_context(page) if page is not None and page.moved_to is None else None
    else:
        page = station_page(match.kwargs["token"])
        context = _station_context(page) if page is not None and page.moved_to is None else None
    if context is None:
        return not_found(request)
    return _form_page(request, context, _kept_form(request, message), status=403)


# --- after sending --------------------------------------------------------------------------


@villager_page
@require_http_methods(["GET", "HEAD"])
def receipt(request, tracking_code: str):
    hit("page_ip", client_ip(request))
    issue = issue_by_tracking_code(tracking_code)
    if issue is None:
        return not_found(request)
    track_url = request.build_absolute_uri(reverse("public:track", args=[issue.tracking_code]))
    return render(request, "public/receipt.html", {"issue": issue, "track_url": track_url})


@villager_page
@require_http_methods(["GET", "HEAD", "POST"])
def track(request, tracking_code: str):
    issue = issue_by_tracking_code(tracking_code)
    if issue is None:
        return not_found(request, _("No case has this tracking code. Please check the link on your receipt."))
    can_rate = awaiting_rating(issue)
    form = RatingForm()
    status = 200
    if request.method == "POST":
        hit("evaluate_ip", client_ip(request))
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
    else:
        hit("page_ip", client_ip(request))
    context = {
        "issue": issue,
        "state_text": STATE_TEXT.get(issue.state, ""),
        "is_open": issue.state in OPEN_STATES,
        "reopened": issue.round > 1 and issue.state in OPEN_STATES,
        "timeline": public_timeline(issue),
        "photos": list(issue.attachments.only("pk")),
        "masked_phone": mask_phone(issue.submitter_phone),
        "can_rate": can_rate,
        "form": form,
        "values": form.data,
        "rated": request.GET.get("rated") == "1",
    }
    return render(request, "public/track.html", context, status=status)


@villager_page
@require_http_methods(["GET", "HEAD", "POST"])
def home(request):
    form = LookupForm()
    status = 200
    if request.method == "POST":
        hit("lookup_ip", client_ip(request))
        form = LookupForm(request.POST)
        if form.is_valid():
            issue = issue_by_receipt(form.cleaned_data["code"], form.cleaned_data["phone_last4"])
            if issue is not None:
                return redirect("public:track", tracking_code=issue.tracking_code)
            form.add_error(
                None,
                _(
                    "No case matches this code and these digits. Check your receipt; a case sent "
                    "without a phone number can only be opened with its tracking link."
                ),
            )
        status = 400
    else:
        hit("page_ip", client_ip(request))
    return render(request, "public/home.html", {"form": form, "values": form.data}, status=status)


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
    attachment = Attachment.objects.filter(pk=attachment_id, issue__tracking_code=tracking_code).first()
    if attachment is None or len(tracking_code) > 64:
        return not_found(request)
    return photo_response(attachment)


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
