"""The case page's voice note: where to play it, its transcript, and whether this user may type it."""

from django.urls import NoReverseMatch, reverse

from issues.models import Action, VoiceNote
from issues.permissions import allowed_roles, scope_of


def voice_context(user, issue) -> dict:
    note = VoiceNote.objects.filter(issue=issue).select_related("transcribed_by").first()
    if note is None:
        return {"voice_note": None}
    try:  # the villagers' app serves the file; without it the page shows the note's length only
        url = reverse("public:staff-voice", args=[issue.pk])
    except NoReverseMatch:
        url = None
    may_transcribe = bool(scope_of(user).roles_for(issue) & allowed_roles(Action.TRANSCRIBE, issue.state))
    return {"voice_note": note, "voice_url": url, "may_transcribe": may_transcribe}
