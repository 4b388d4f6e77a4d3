"""HTML input of the case page's small forms and of "record a voter's problem". They only parse;
issues.services decides and writes."""

import datetime
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from issues.departments import departments_in_scope
from issues.models import Action, Category, Department
from issues.validators import REASON_MAX, REPLY_MAX

EXTEND = "extend"  # the deadline extension, which is not a state change


def _end_of_day(day: datetime.date) -> datetime.datetime:
    """A date typed on a phone means "by the end of that day", in the portal's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "liaison-textarea"})


class AcceptForm(forms.Form):
    def service_params(self) -> dict:
        return {}


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason (shown to the villager)"), max_length=REASON_MAX, widget=_textarea())

    def service_params(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Internal note"), required=False, max_length=REASON_MAX, widget=_textarea(2))

    def service_params(self) -> dict:
        return {"note": self.cleaned_data["note"]}


def active_departments():
    return Department.objects.filter(is_active=True).order_by("name")


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Lead department"), queryset=Department.objects.none())
    co_departments = forms.ModelMultipleChoiceField(
        label=_("Co-handling departments (optional)"), queryset=Department.objects.none(), required=False
    )
    note = forms.CharField(label=_("Internal note"), required=False, max_length=REASON_MAX, widget=_textarea(2))
    instructions = forms.CharField(
        label=_("Instructions to the department (sent with the case)"),
        required=False,
        max_length=REASON_MAX,
        widget=_textarea(2),
    )

    def __init__(self, *args, issue=None, **kwargs):
        super().__init__(*args, **kwargs)
        # On the case page the lists hold the departments serving its township; a posted choice
        # outside them is refused by the service with its reason.
        departments = departments_in_scope(issue) if issue is not None else active_departments()
        self.fields["department"].queryset = departments
        self.fields["co_departments"].queryset = departments

    def service_params(self) -> dict:
        return {
            "department_id": self.cleaned_data["department"].pk,
            "co_department_ids": [d.pk for d in self.cleaned_data["co_departments"]],
            "note": self.cleaned_data["note"],
            "instructions": self.cleaned_data["instructions"],
        }


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply to the villager"), max_length=REPLY_MAX, widget=_textarea(4))

    def service_params(self) -> dict:
        return {"text": self.cleaned_data["text"]}


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why is the case reopened?"), max_length=REASON_MAX, widget=_textarea())
    deadline = forms.DateField(
        label=_("New deadline (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def service_params(self) -> dict:
        day = self.cleaned_data["deadline"]
        return {"reason": self.cleaned_data["reason"], "deadline": _end_of_day(day) if day else None}


class ExtendForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Why does the deadline move?"), max_length=REASON_MAX, widget=_textarea(2))

    def service_params(self) -> dict:
        return {"deadline": _end_of_day(self.cleaned_data["deadline"]), "reason": self.cleaned_data["reason"]}


# action -> (form, button label, button style). The order is the order of the buttons.
ACTION_FORMS: dict[str, tuple[type[forms.Form], str, str]] = {
    Action.ACCEPT: (AcceptForm, _("Accept"), "go"),
    Action.REVIEW: (ReviewForm, _("Mark as reviewed"), "go"),
    Action.REPLY: (ReplyForm, _("Reply"), "go"),
    Action.ASSIGN: (AssignForm, _("Assign to a department"), "go"),
    Action.REOPEN: (ReopenForm, _("Reopen"), "plain"),
    EXTEND: (ExtendForm, _("Extend the deadline"), "plain"),
    Action.REJECT: (RejectForm, _("Reject"), "stop"),
}


class BulkAssignForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    note = forms.CharField(label=_("Internal note"), required=False, max_length=REASON_MAX, widget=_textarea(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = active_departments()


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files]


class RecordForm(forms.Form):
    """A voter's problem written down by a deputy on a visit or by staff at a reception."""

    station = forms.ModelChoiceField(label=_("Station"), queryset=None, empty_label=None)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    content = forms.CharField(label=_("What is the problem?"), widget=_textarea(5))
    submitter_name = forms.CharField(label=_("Voter's name"), required=False, max_length=50)
    submitter_phone = forms.CharField(
        label=_("Voter's mobile number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    photos = PhotosField(
        label=_("Photos"), required=False, widget=MultiplePhotoInput(attrs={"accept": "image/*", "multiple": True})
    )
    # One key per form: a double tap on a slow connection records the problem once.
    submission_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        self.fields["submission_key"].initial = uuid.uuid4().hex
