"""The staff side of cases in Django's admin: triage list, case page with its actions, recording
a voter's problem, and the reference data (categories, departments)."""

from issues.admin.alert_settings import AlertPreferenceAdmin, WorkAccountAdmin
from issues.admin.cases import IssueAdmin
from issues.admin.extensions import ExtensionRequestAdmin
from issues.admin.inbox import NotificationAdmin
from issues.admin.platforms import GovernancePlatformAdmin
from issues.admin.reference import CategoryAdmin, DepartmentAdmin
from issues.admin.replytemplates import ReplyTemplateAdmin
from issues.admin.sms import SmsMessageAdmin

__all__ = [
    "AlertPreferenceAdmin",
    "CategoryAdmin",
    "DepartmentAdmin",
    "ExtensionRequestAdmin",
    "GovernancePlatformAdmin",
    "IssueAdmin",
    "NotificationAdmin",
    "ReplyTemplateAdmin",
    "SmsMessageAdmin",
    "WorkAccountAdmin",
]
