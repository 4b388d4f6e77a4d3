"""HTML input of the activity pages' small forms. They only parse; activities.services decides
and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from issues.models import Category, Department, Rating
from issues.validators import REASON_MAX, REPLY_MAX


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": 60})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class HoldForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=_textarea(6))
    attendance = forms.IntegerField(label=_("Attendance"), min_value=0)
    attended = forms.ModelMultipleChoiceField(
        label=_("Deputies who attended"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    photos = MultipleFileField(label=_("Photos"), required=False)

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        from deputies.models import Deputy

        self.fields["attended"].queryset = Deputy.objects.filter(participations__activity=activity)
        self.fields["attended"].initial = list(
            activity.participations.filter(attended=True).values_list("deputy_id", flat=True)
        )

    def service_params(self) -> dict:
        data = self.cleaned_data
        attended = [d.pk for d in data["attended"]] if self.fields["attended"].queryset.exists() else None
        return {
            "minutes": data["minutes"],
            "attendance": data["attendance"],
            "attended_deputy_ids": attended,
            "photos": data["photos"],
        }


class RaiseItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    content = forms.CharField(label=_("Content"), widget=_textarea(4))
    deputy = forms.ModelChoiceField(label=_("Raised by"), queryset=None, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        from deputies.models import Deputy

        self.fields["deputy"].queryset = Deputy.objects.filter(participations__activity=activity)

    def service_params(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "content": data["content"],
            "deputy_id": data["deputy"].pk if data["deputy"] else None,
            "category_id": data["category"].pk if data["category"] else None,
        }


class PromiseForm(forms.Form):
    measure = forms.CharField(label=_("Promised measure"), max_length=REPLY_MAX, widget=_textarea())
    department = forms.ModelChoiceField(
        label=_("Responsible department"), queryset=Department.objects.filter(is_active=True), required=False
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    answer = forms.CharField(
        label=_("Answer to the case (optional)"), max_length=REPLY_MAX, required=False, widget=_textarea(2)
    )

    def service_params(self) -> dict:
        data = self.cleaned_data
        return {
            "measure": data["measure"],
            "department_id": data["department"].pk if data["department"] else None,
            "deadline": data["deadline"],
            "answer": data["answer"],
        }


class RateForm(forms.Form):
    deputy = forms.ModelChoiceField(label=_("Deputy"), queryset=None, required=False)
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices)
    comment = forms.CharField(label=_("Comment"), max_length=REASON_MAX, required=False, widget=_textarea(2))
    new_deadline = forms.DateField(
        label=_("New deadline if unsatisfied"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        from deputies.models import Deputy

        self.fields["deputy"].queryset = Deputy.objects.filter(
            participations__activity=activity, participations__attended=True
        )

    def service_params(self) -> dict:
        data = self.cleaned_data
        return {
            "deputy_id": data["deputy"].pk if data["deputy"] else None,
            "rating": data["rating"],
            "comment": data["comment"],
            "new_deadline": data["new_deadline"],
        }


class KeptForm(forms.Form):
    kept_on = forms.DateField(label=_("Kept on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("New answer (when handled again)"), max_length=REPLY_MAX, required=False, widget=_textarea(2)
    )

    def service_params(self) -> dict:
        return {"kept_on": self.cleaned_data["kept_on"], "note": self.cleaned_data["note"]}


class ReturnVisitForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=REASON_MAX, widget=_textarea(2))

    def service_params(self) -> dict:
        return {"date": self.cleaned_data["date"], "note": self.cleaned_data["note"]}


class SwapForm(forms.Form):
    slot = forms.ModelChoiceField(label=_("Duty slot"), queryset=None)
    other_slot = forms.ModelChoiceField(label=_("Swap with"), queryset=None)

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots
        self.fields["other_slot"].queryset = slots

    def service_params(self) -> dict:
        return {"slot_id": self.cleaned_data["slot"].pk, "other_slot_id": self.cleaned_data["other_slot"].pk}


class PhotosForm(forms.Form):
    photos = MultipleFileField(label=_("Photos"))

    def service_params(self) -> dict:
        return {"photos": self.cleaned_data["photos"]}


class EscalateForm(forms.Form):
    case_code = forms.CharField(label=_("Case code"), max_length=9, help_text=_("e.g. K7QM-3XPA"))
    activity = forms.ModelChoiceField(
        label=_("Upcoming appointment"), queryset=None, required=False, help_text=_("Leave empty to plan a new one.")
    )
    date = forms.DateField(
        label=_("Date of a new appointment"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    theme = forms.CharField(label=_("Theme of a new appointment"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=REASON_MAX, required=False, widget=_textarea(2))

    def __init__(self, *args, appointments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = appointments

    def clean_case_code(self) -> str:
        return self.cleaned_data["case_code"].strip().upper()

    def service_params(self) -> dict:
        data = self.cleaned_data
        return {
            "activity_id": data["activity"].pk if data["activity"] else None,
            "date": data["date"],
            "theme": data["theme"],
            "note": data["note"],
        }
