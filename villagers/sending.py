"""The villager's form, one round at a time: every field checked in one pass, the photos chosen so
far kept against the form's submission token, and the page drawn again with every mistake
listed at the top (GOV.UK's error summary) and next to its field. A round either ends in the
receipt or in the form again, never in lost work."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core import signing
from django.core.cache import cache
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from issues.models import KeptPhoto, KeptVoice
from issues.photos import MAX_PHOTOS, check_chosen
from issues.services import issue_submit
from issues.services.submission import kept_photo_remove, photos_keep
from issues.services.voice import kept_voice_remove, voice_keep
from issues.validators import CONTENT_MAX, CONTENT_MIN
from issues.voice import VOICE_MAX_SECONDS, clean_voice
from liaison.errors import IdempotencyConflict, InvalidInput
from liaison.ratelimit import client_ip, hit, hit_submission
from villagers.elder import is_elder, mode_context
from villagers.forms import SubmissionForm, new_nonce, new_submission_token, submission_key, submission_nonce
from villagers.selectors import PAGE_CACHE_SECONDS, kept_photos, kept_voice_of_form, public_categories

# Where each field's mistake points in the summary, in the order the page shows the fields.
FIELD_ANCHORS = {
    "content": "f-content",
    "category": "f-category",
    "photos": "f-photos",
    "voice": "f-voice",
    "name": "f-name",
    "phone": "f-phone",
    "consent": "f-consent",
}


@dataclass
class Round:
    """The form as the page shows it again: what was typed, the photos kept so far, and the
    submission token the page carries on ("" for a fresh one)."""

    form: SubmissionForm
    token: str = ""
    kept: list[KeptPhoto] = field(default_factory=list)
    photo_notice: str = ""  # said next to the photos, where the villager tapped 删除
    photos_lost: bool = False  # photos were chosen but could not be kept: ask for them again
    kept_voice: KeptVoice | None = None
    voice_notice: str = ""
    voice_lost: bool = False  # a voice note was sent but could not be kept: ask for it again


def send(request, *, channel, rate_key, station_id=None, deputy_id=None, deputy_token="") -> HttpResponse | Round:
    """Send the posted form: the redirect to the receipt, a refusal, or the round to show again."""
    ip = client_ip(request)
    hit("submit_ip", ip)  # every post costs its address; a code pays only for valid ones (below)
    voice_file = request.FILES.get("voice") or None
    form = SubmissionForm(request.POST, with_voice=bool(voice_file or request.POST.get("kept_voice")))
    if form.is_bot:
        return render(
            request,
            "public/message.html",
            {"title": _("Not sent"), "message": _("Your message could not be sent.")},
            status=400,
        )
    form.is_valid()  # every field's checks, so that all mistakes are shown together
    token, key = _token_and_key(form)
    files = [f for f in request.FILES.getlist("photos") if f]
    kept_ids = form.kept_ids if key == form.idempotency_key else []
    kept_voice_id = form.kept_voice_id if key == form.idempotency_key else None
    voice = _checked_voice(form, voice_file)

    if form.removes_voice:  # the voice note's 删除 button: nothing is judged or sent
        removed = kept_voice_remove(submission_key=key, voice_id=kept_voice_id) if kept_voice_id else False
        bare = unjudged(form)
        chosen, problems = check_chosen(files, already=len(kept_ids))
        for problem in problems:
            bare.add_error("photos", problem)
        kept = _keep(bare, key, chosen, kept_ids)
        kept_voice = voice_keep(submission_key=key, voice=voice) if voice else None
        notice = _("The voice note was removed.") if removed else ""
        return Round(form=bare, token=token, kept=kept, kept_voice=kept_voice, voice_notice=notice)

    if form.remove_id is not None:  # a 删除 button, not 提交: nothing is judged or sent
        removed = kept_photo_remove(submission_key=key, photo_id=form.remove_id) if kept_ids else False
        bare = unjudged(form)
        kept_ids = [pk for pk in kept_ids if pk != form.remove_id]
        chosen, problems = check_chosen(files, already=len(kept_ids))
        for problem in problems:
            bare.add_error("photos", problem)
        kept = _keep(bare, key, chosen, kept_ids)
        notice = _("The photo was removed.") if removed else ""
        asked = [pk for pk in form.kept_ids if pk != form.remove_id]
        kept_voice = _keep_voice(key, voice, kept_voice_id)
        return Round(
            form=bare,
            token=token,
            kept=kept,
            photo_notice=notice,
            photos_lost=_lost(asked, kept),
            kept_voice=kept_voice,
            voice_lost=_voice_lost(form, kept_voice),
        )

    chosen, problems = check_chosen(files, already=len(kept_ids))
    for problem in problems:
        form.add_error("photos", problem)
    if form.errors:
        form.check_category(public_categories())
    else:
        data = form.cleaned_data
        hit_submission(rate_key, ip)
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
                photos=[c.photo for c in chosen],
                kept_photo_ids=kept_ids,
                voice=voice,
                kept_voice_id=None if voice else kept_voice_id,
                idempotency_key=key,
                # The form refuses a number without the box ticked: consent covers the texts.
                sms_consent=bool(data.get("consent")),
            )
        except InvalidInput as error:
            form.add_service_error(error)
        except IdempotencyConflict:
            # This token made a case already, with other text: a fresh form, nothing kept.
            form.add_error(None, _("This form was already sent with other text. Please check it and send again."))
            return Round(form=form, photos_lost=bool(files or kept_ids), voice_lost=bool(voice_file or kept_voice_id))
        else:
            url = reverse("public:receipt", args=[issue.tracking_code])
            if form.contact_dropped:  # the receipt then says that the name and phone were not kept
                url += "?" + urlencode({"contact": "dropped"})
            return redirect(url)
    kept = _keep(form, key, chosen, kept_ids)
    kept_voice = _keep_voice(key, voice, kept_voice_id)
    return Round(
        form=form,
        token=token,
        kept=kept,
        photos_lost=_lost(form.kept_ids, kept),
        kept_voice=kept_voice,
        voice_lost=_voice_lost(form, kept_voice),
    )


def _checked_voice(form: SubmissionForm, uploaded):
    """The posted voice note checked (issues.voice), or None with its mistake on the form."""
    if uploaded is None:
        return None
    try:
        return clean_voice(uploaded)
    except InvalidInput as error:
        form.add_error("voice", str(error.message))
        return None


def _keep_voice(key: str, voice, kept_voice_id: int | None) -> KeptVoice | None:
    """Keep this round's good voice note (it replaces an earlier one), or find the kept one."""
    if voice is not None:
        return voice_keep(submission_key=key, voice=voice)
    return kept_voice_of_form(key, kept_voice_id)


def _voice_lost(form: SubmissionForm, kept_voice: KeptVoice | None) -> bool:
    """Whether the page carried a kept voice note that is not kept any more (its form expired)."""
    return form.kept_voice_id is not None and kept_voice is None


def _token_and_key(form: SubmissionForm) -> tuple[str, str]:
    """The token the page carries on and the key its photos are kept under. A stale or forged
    token gets a fresh one, so that the photos of this round are still kept."""
    if form.nonce:
        return form.data.get("token", ""), form.idempotency_key
    nonce = new_nonce()
    return new_submission_token(nonce), submission_key(nonce)


def _keep(form: SubmissionForm, key: str, chosen, kept_ids: list[int]) -> list[KeptPhoto]:
    """Keep this round's good photos next to the earlier ones; the kept photos, in order."""
    if not chosen:
        return kept_photos(key, kept_ids)
    try:
        return photos_keep(submission_key=key, photos=chosen, kept_ids=kept_ids)
    except InvalidInput as error:
        form.add_error("photos", str(error.message))
        return kept_photos(key, kept_ids)


def _lost(asked: list[int], kept: list[KeptPhoto]) -> bool:
    """Whether a photo the page carried is not kept any more (its form expired)."""
    return not set(asked) <= {photo.pk for photo in kept}


def unjudged(form: SubmissionForm, message: str = "") -> SubmissionForm:
    """The posted form, to show the villager's text again without judging it."""
    bare = SubmissionForm(form.data)
    bare.is_valid()
    bare._errors = ErrorDict()
    if message:
        bare.add_error(None, message)
    return bare


def kept_round(request, message: str = "") -> Round:
    """The posted form shown again as it was (a code that moved, a failed security check), with
    its kept photos when its token still holds."""
    form = SubmissionForm(request.POST)
    form.is_valid()
    bare = unjudged(form, message)
    voice_sent = bool(request.FILES.get("voice"))
    if not form.nonce:
        return Round(
            form=bare,
            photos_lost=bool(form.kept_ids or request.FILES.getlist("photos")),
            voice_lost=voice_sent or form.kept_voice_id is not None,
        )
    kept = kept_photos(form.idempotency_key, form.kept_ids)
    lost = bool(request.FILES.getlist("photos")) or _lost(form.kept_ids, kept)
    kept_voice = kept_voice_of_form(form.idempotency_key, form.kept_voice_id)
    return Round(
        form=bare,
        token=form.data.get("token", ""),
        kept=kept,
        photos_lost=lost,
        kept_voice=kept_voice,
        voice_lost=voice_sent or _voice_lost(form, kept_voice),
    )


def error_summary(form: SubmissionForm) -> list[tuple[str, str]]:
    """(anchor, message) for every mistake: the form's own first, then the fields in page order."""
    items = [("", str(message)) for message in form.non_field_errors()]
    for name, anchor in FIELD_ANCHORS.items():
        items += [(anchor, str(message)) for message in form.errors.get(name, [])]
    return items


# --- the page --------------------------------------------------------------------------------

# A QR page is the same for every villager but for its two hidden tokens: the blank form is
# rendered once per code (for PAGE_CACHE_SECONDS) with slots that each request fills in.
_CSRF_SLOT = "\x00csrf\x00"
_TOKEN_SLOT = "\x00token\x00"  # noqa: S105 (a placeholder)


def _page_cache_key(code: str, request) -> str | None:
    if len(code) > 80:
        return None
    mode = "elder" if is_elder(request) else "std"
    return f"public:page:{get_language()}:{mode}:{timezone.localdate()}:{code}"


def _fill_slots(request, html: str) -> HttpResponse:
    # Every form of the page carries the CSRF token (the "me too" buttons too); one submission token.
    html = html.replace(_CSRF_SLOT, get_token(request)).replace(_TOKEN_SLOT, new_submission_token(), 1)
    return HttpResponse(html)


def cached_form_page(request, code: str) -> HttpResponse | None:
    key = _page_cache_key(code, request)
    html = cache.get(key) if key else None
    return _fill_slots(request, html) if html is not None else None


def form_page(request, context, current: Round | None = None, *, status=None, action="", cache_as=""):
    if current is None:
        current = Round(form=SubmissionForm())
    form = current.form
    if status is None:  # a round that only removed a photo judged nothing: 200
        status = 400 if form.errors else 200
    summary = error_summary(form) if form.is_bound else []
    context = {
        **context,
        "form": form,
        "values": form.data,
        "error_summary": summary,
        "photo_notice": current.photo_notice,
        "kept_photos": current.kept,
        "photos_left": MAX_PHOTOS - len(current.kept),
        "photos_lost": current.photos_lost,
        "kept_voice": current.kept_voice,
        "voice_notice": current.voice_notice,
        "voice_lost": current.voice_lost,
        "voice_max_seconds": VOICE_MAX_SECONDS,
        # Always a path of its own: a #fragment the page's address picked up (a summary link
        # followed without JavaScript) must not ride along to the receipt.
        "action": action or request.path,
        "csrf_slot": _CSRF_SLOT,
        # A round goes on with its own token (its kept photos are filed under it); the token is
        # only in this villager's page, so the page is never cached then.
        "submission_token": current.token or _TOKEN_SLOT,
        "category_choices": [(c.pk, c.name) for c in public_categories()],
        "content_min": CONTENT_MIN,
        "content_max": CONTENT_MAX,
        "max_photos": MAX_PHOTOS,
        "sending_text": _("Sending, please wait…"),
        **mode_context(request),  # drawn without the request: the 长辈版 switch needs these two
    }
    html = render_to_string("public/submit.html", context)
    key = _page_cache_key(cache_as, request) if cache_as and not form.is_bound else None
    if key:
        cache.set(key, html, PAGE_CACHE_SECONDS)
    response = _fill_slots(request, html)
    response.status_code = status
    return response


def kept_photo_nonce(token: str) -> str | None:
    """The nonce of a form token that may still show its kept photos; None otherwise."""
    try:
        return submission_nonce(token)
    except signing.BadSignature:  # SignatureExpired included
        return None
