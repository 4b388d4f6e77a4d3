"""Voice notes: the one a villager recorded on a form not sent yet, kept against the form's key
(as photos are: issues.services.submission.photos_keep), and the transcript staff type in."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from issues import clock
from issues.models import Action, Issue, KeptVoice, VoiceNote
from issues.permissions import Actor, authorize
from issues.photos import KEPT_PHOTO_MAX_AGE
from issues.services.core import record_event
from issues.services.submission import _delete_files
from issues.similar import matching_text, stored_grams
from issues.validators import CONTENT_MAX, clean_text
from issues.voice import CleanVoice
from liaison.errors import InvalidInput, IssueNotFound


def voice_keep(*, submission_key: str, voice: CleanVoice) -> KeptVoice:
    """Keep `voice` (checked already: issues.voice.clean_voice) for the form `submission_key`.
    A form keeps one voice note: a new one replaces the one kept before."""
    if not submission_key:
        raise InvalidInput(_("Kept photos belong to a form: send its key."), field="voice")
    row = KeptVoice(
        submission_key=submission_key,
        content_type=voice.content_type,
        duration=voice.duration,
        size=len(voice.content),
        created_at=clock.now(),
    )
    row.audio.save(f"voice.{voice.extension}", ContentFile(voice.content), save=False)
    try:
        row.save(force_insert=True)
    except BaseException:
        _delete_files([row])
        raise
    for earlier in KeptVoice.objects.filter(submission_key=submission_key).exclude(pk=row.pk):
        _delete_kept(earlier)
    return row


def kept_voice_remove(*, submission_key: str, voice_id: int) -> bool:
    """Forget the kept voice note of the form `submission_key` (its file too); False when that
    form has no such voice note."""
    row = KeptVoice.objects.filter(submission_key=submission_key, pk=voice_id).first() if submission_key else None
    return _delete_kept(row) if row is not None else False


def kept_voices_expire(*, now=None) -> int:
    """Delete the voice notes kept for forms that can no longer be sent. Returns how many went."""
    cutoff = (now or clock.now()) - KEPT_PHOTO_MAX_AGE
    return sum(_delete_kept(row) for row in KeptVoice.objects.filter(created_at__lt=cutoff).only("pk", "audio"))


def _delete_kept(row: KeptVoice) -> bool:
    # As for kept photos: the row first, the file only if this call deleted the row (a case
    # created at the same moment holds the row locked and takes the file over).
    deleted, _rows = KeptVoice.objects.filter(pk=row.pk).delete()
    if deleted:
        _delete_files([row])
    return bool(deleted)


def voice_transcribe(*, actor: Actor, issue_id: int, text: str) -> VoiceNote:
    """Staff write down what the case's voice note says (or correct it). The transcript is what
    matching reads (Issue.text_for_matching); each change is an event on the timeline."""
    text = clean_text(
        text, field="transcript", required_message=_("Type what the voice note says."), maximum=CONTENT_MAX
    )
    with transaction.atomic():
        try:
            issue = Issue.objects.select_for_update().get(pk=issue_id)
        except Issue.DoesNotExist:
            raise IssueNotFound() from None
        authorize(actor, Action.TRANSCRIBE, issue)
        note = VoiceNote.objects.select_for_update().filter(issue=issue).first()
        if note is None:
            raise InvalidInput(_("This case has no voice note."), field="transcript")
        changed = note.transcript != text
        note.transcript = text
        note.transcribed_by = actor.user if getattr(actor.user, "is_authenticated", False) else None
        note.transcribed_at = clock.now()
        note.save(update_fields=["transcript", "transcribed_by", "transcribed_at"])
        grams = stored_grams(matching_text(issue.content, text))
        Issue.objects.filter(pk=issue.pk).update(match_grams=grams)
        if changed:
            record_event(
                issue,
                action=Action.TRANSCRIBE,
                from_state=issue.state,
                actor=actor,
                internal_note=text,
                data={"characters": len(text)},
            )
    return note
