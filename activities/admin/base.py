"""What the activity admin pages share: rows come from activities_visible_to, access follows
the scope (the role groups of issues.roles do not list this app, so the scope decides), an
object outside it is a 404, and service errors become messages or form errors."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from activities.models import Status
from activities.permissions import can_write_station
from issues.permissions import Actor, scope_of
from liaison.errors import IssueError, IssueNotFound


def may_read(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and not scope_of(user).is_empty


def may_write_somewhere(request) -> bool:
    scope = scope_of(request.user)
    return request.user.is_active and request.user.is_staff and (scope.is_superuser or bool(scope.staff_station_ids))


def writable_station_ids(request) -> frozenset[int] | None:
    scope = scope_of(request.user)
    return None if scope.is_superuser else scope.staff_station_ids


class ScopedReadAdmin(admin.ModelAdmin):
    """Everyone with a scope reads; nobody adds, changes or deletes rows directly."""

    def has_module_permission(self, request):
        return may_read(request)

    def has_view_permission(self, request, obj=None):
        return may_read(request)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Not found."))


class _DryRun(Exception):
    pass


class ServiceModelForm(forms.ModelForm):
    """A ModelForm whose validation asks the service itself: `run_service` is called inside a
    savepoint that is always rolled back, and its domain errors become form errors. The admin
    then calls the service for real in save_model."""

    actor: Actor | None = None

    def run_service(self):  # pragma: no cover - subclasses
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            with transaction.atomic():
                self.run_service()
                raise _DryRun
        except _DryRun:
            pass
        except IssueError as error:
            field = error.field if error.field in self.fields else None
            self.add_error(field, str(error.message))
        return data


def run_and_report(request, call, success: str, back: str):
    """Call a service from a button: a success or error message, then back to the page."""
    try:
        call()
    except IssueNotFound:
        raise Http404(_("Not found.")) from None
    except IssueError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, success)
    return redirect(back)


def form_errors_to_messages(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


class ChildInline(admin.TabularInline):
    extra = 0

    def _may_edit(self, request, obj, statuses) -> bool:
        if not statuses:
            return False
        if obj is None:  # the add page, which only writers reach
            return Status.PLANNED in statuses
        return obj.status in statuses and can_write_station(request.user, obj.station_id)

    def has_view_permission(self, request, obj=None):
        return True  # the parent page is already scoped

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, obj, self.editable_in)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj, self.editable_in)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj, self.editable_in)


class ReadOnlyInline(ChildInline):
    editable_in = ()
    can_delete = False
