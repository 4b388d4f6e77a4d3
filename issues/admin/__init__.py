"""The staff side of cases in Django's admin: triage list, case page with its actions, recording
a voter's problem, and the reference data (categories, departments)."""

from issues.admin.alert_settings import AlertPreferenceAdmin, WorkAccountAdmin
from issues.admin.cases import IssueAdmin
from issues.admin.inbox import NotificationAdmin
from issues.admin.reference import CategoryAdmin, DepartmentAdmin
from issues.admin.sms import SmsMessageAdmin

__all__ = [
    "AlertPreferenceAdmin",
    "CategoryAdmin",
    "DepartmentAdmin",
    "IssueAdmin",
    "NotificationAdmin",
    "SmsMessageAdmin",
    "WorkAccountAdmin",
]
