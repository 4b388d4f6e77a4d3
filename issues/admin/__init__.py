"""The staff side of cases in Django's admin: triage list, case page with its actions, recording
a voter's problem, and the reference data (categories, departments)."""

from issues.admin.cases import IssueAdmin
from issues.admin.inbox import NotificationAdmin
from issues.admin.reference import CategoryAdmin, DepartmentAdmin
from issues.admin.sms import SmsMessageAdmin

__all__ = ["CategoryAdmin", "DepartmentAdmin", "IssueAdmin", "NotificationAdmin", "SmsMessageAdmin"]
