"""The case export reads a case's text as matching does (Issue.text_for_matching): a voice-only
case is exported with the transcript staff typed, not with an empty cell."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dashboard.exports import case_rows
from issues import clock
from issues.models import Channel, Issue
from issues.permissions import Actor
from issues.services import issue_submit
from issues.services.voice import voice_transcribe
from issues.voice import clean_voice
from testsupport.audio import wav_bytes

pytestmark = pytest.mark.django_db


def test_the_export_shows_the_transcript_of_a_voice_only_case(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    voice = clean_voice(SimpleUploadedFile("v.wav", wav_bytes(2), content_type="audio/wav"))
    issue = issue_submit(channel=Channel.DEPUTY_QR, deputy_token=world.deputy_a.qr_token, content="", voice=voice)
    rows = list(case_rows(Issue.objects.filter(pk=issue.pk), clock.now()))
    assert rows[1][-1] == ""
    voice_transcribe(actor=Actor.of(world.station_staff), issue_id=issue.pk, text="渡口的候船亭漏雨")
    rows = list(case_rows(Issue.objects.filter(pk=issue.pk), clock.now()))
    assert rows[1][0] == issue.short_code and rows[1][-1] == "渡口的候船亭漏雨"
