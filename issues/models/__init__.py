"""The issues app's models, one module per concern, all importable from here: the case and its
lifecycle (cases), its timeline and ratings (timeline), its files (attachments, voice), the
problems shown for "me too" (metoo), what leaves the portal about it (delivery, exchange,
platforms), reply templates (replies), and the outboxes of texts (issues.sms) and 浙政钉 notices
(issues.worknotice)."""

# Kept in their own module (this one is long enough); imported here so that Django finds them.
from issues.models.attachments import Attachment, KeptPhoto, _attachment_path  # noqa: F401
from issues.models.cases import (  # noqa: F401
    _DASHBOARD_COLUMNS,
    _SHORT_ALPHABET,
    FINAL_STATES,
    OPEN_STATES,
    TRANSITIONS,
    Action,
    Category,
    Channel,
    Department,
    Issue,
    Rating,
    State,
    new_short_code,
)
from issues.models.delivery import Forwarding, Notification, PlatformCallback  # noqa: F401
from issues.models.exchange import ExtensionRequest, PlatformNotice  # noqa: F401 - part of this app's models
from issues.models.metoo import PublicCall, Seconding  # noqa: F401
from issues.models.platforms import GovernancePlatform  # noqa: F401
from issues.models.replies import ReplyTemplate  # noqa: F401
from issues.models.timeline import Evaluation, IssueEvent, IssueEventQuerySet  # noqa: F401
from issues.models.voice import KeptVoice, VoiceNote  # noqa: F401
from issues.sms.models import SmsMessage, SmsOptOut  # noqa: F401
from issues.worknotice.models import AlertPreference, WorkAccount, WorkNotice, WorkNoticeItem  # noqa: F401
