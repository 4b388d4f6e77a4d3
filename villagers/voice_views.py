"""Voice notes played back: the case's recording for the holder of its tracking link or for staff
within their scope, and the one kept for a form not sent yet for the holder of that form's
token. Nothing else reaches them (their file names are random, and media is not served)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET, require_http_methods

from issues.models import KeptVoice, VoiceNote
from issues.selectors import issues_visible_to
from liaison.ratelimit import client_ip, hit
from villagers.errors import not_found, villager_page
from villagers.forms import submission_key
from villagers.sending import kept_photo_nonce


def _audio_response(row, content_type: str):
    response = FileResponse(row.audio.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@villager_page
@require_http_methods(["GET", "HEAD"])
def submitter_voice(request, tracking_code: str):
    """The voice note of a case, for the holder of its tracking link only."""
    hit("page_ip", client_ip(request))
    note = VoiceNote.objects.filter(issue__tracking_code=tracking_code).first() if len(tracking_code) <= 64 else None
    if note is None:
        return not_found(request)
    return _audio_response(note, note.content_type)


@villager_page
@require_http_methods(["GET", "HEAD"])
def kept_voice(request, token: str, voice_id: int):
    """The voice note kept for a form that is not sent yet, for the holder of its token only."""
    hit("page_ip", client_ip(request))
    nonce = kept_photo_nonce(token) if len(token) <= 200 else None
    row = KeptVoice.objects.filter(submission_key=submission_key(nonce), pk=voice_id).first() if nonce else None
    if row is None:
        return not_found(request)
    return _audio_response(row, row.content_type)


@login_required
@require_GET
def staff_voice(request, issue_id: int):
    """A case's voice note, for staff who see the case (issues_visible_to); 404 otherwise."""
    note = VoiceNote.objects.filter(issue_id=issue_id).first()
    if note is None or not issues_visible_to(request.user).filter(pk=issue_id).exists():
        raise Http404
    return _audio_response(note, note.content_type)
