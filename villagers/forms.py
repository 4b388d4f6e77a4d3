"""HTML input parsing for the villager's pages. What a case may contain is decided by
issues.services.issue_submit; the submission form runs the same shared checks
(issues.validators) on every field in one pass, so that a villager sees every mistake at once,
and reads the server-issued submission token, the kept photos, the honeypot and the consent rule
that belongs to the page."""

import secrets

from django import forms
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from issues.models import Rating
from issues.photos import MAX_PHOTOS
from issues.validators import CONTENT_MAX, NAME_MAX, clean_content, clean_name, normalize_mobile
from liaison.errors import InvalidInput

# A villager may take a while to write (or fetch their glasses); past this the form is stale.
SUBMISSION_TOKEN_MAX_AGE = 6 * 3600
_TOKEN_SALT = "villagers.submission"  # noqa: S105 (a namespace, not a secret)


def new_submission_token(nonce: str = "") -> str:
    """A signed, timestamped nonce issued with each form; the nonce is the idempotency key."""
    return signing.dumps({"n": nonce or new_nonce()}, salt=_TOKEN_SALT, compress=False)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def submission_key(nonce: str) -> str:
    """The idempotency key of a form's nonce; photos kept for the form are filed under it too."""
    return f"form:{nonce}"


def submission_nonce(token: str) -> str:
    """The nonce of a valid token; raises signing.SignatureExpired or signing.BadSignature."""
    data = signing.loads(token or "", salt=_TOKEN_SALT, max_age=SUBMISSION_TOKEN_MAX_AGE)
    nonce = data.get("n") if isinstance(data, dict) else None
    if not isinstance(nonce, str) or not 16 <= len(nonce) <= 64:
        raise signing.BadSignature("no nonce")
    return nonce


class _SharedFields(dict):
    """A form's base_fields that each instance shares instead of deep-copying them (50 µs of the
    villager's POST for nine fields). Only for a form that never changes its fields in place and
    whose widgets are never rendered: the templates write the inputs and show only the errors."""

    def __deepcopy__(self, memo):
        return dict(self)


class SubmissionForm(forms.Form):
    """What a villager sends from a deputy's or a station's page (photos come from request.FILES).
    Its fields are shared by every instance (see _SharedFields): never change them in place."""

    content = forms.CharField(required=False, strip=False, max_length=CONTENT_MAX * 2)
    category = forms.IntegerField(  # issue_submit checks that it exists
        required=False,
        min_value=1,
        error_messages={
            "invalid": gettext_lazy("Choose a category from the list."),
            "min_value": gettext_lazy("Choose a category from the list."),
        },
    )
    name = forms.CharField(required=False, max_length=NAME_MAX * 2)
    phone = forms.CharField(required=False, max_length=40)
    anonymous = forms.BooleanField(required=False)
    consent = forms.BooleanField(required=False)
    photos = forms.Field(required=False)  # read from request.FILES; here only to carry its errors
    voice = forms.Field(required=False)  # the same
    token = forms.CharField(required=False)
    website = forms.CharField(required=False)  # the honeypot: hidden from people, filled by bots

    def __init__(self, *args, with_voice: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_voice = with_voice  # a voice note comes along: the text may be short or empty
        self.nonce = ""
        self.contact_dropped = False

    @property
    def kept_ids(self) -> list[int]:
        """The kept photos the page carried (hidden fields); whose they are is checked on use."""
        values = self.data.getlist("kept") if hasattr(self.data, "getlist") else []
        ids = []
        for value in values[: MAX_PHOTOS * 2]:
            if value.isdigit() and len(value) <= 18 and int(value) not in ids:
                ids.append(int(value))
        return ids

    @property
    def remove_id(self) -> int | None:
        """The kept photo whose 删除 button was tapped, if that is how the form came."""
        value = self.data.get("remove_photo", "")
        return int(value) if isinstance(value, str) and value.isdigit() and len(value) <= 18 else None

    @property
    def kept_voice_id(self) -> int | None:
        """The kept voice note the page carried (a hidden field); whose it is is checked on use."""
        value = self.data.get("kept_voice", "") if hasattr(self.data, "get") else ""
        return int(value) if isinstance(value, str) and value.isdigit() and len(value) <= 18 else None

    @property
    def removes_voice(self) -> bool:
        """Whether the kept voice note's 删除 button was tapped."""
        return self.data.get("remove_voice", "") == "1"

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_token(self) -> str:
        # Shown above the form, not next to a field the villager never sees.
        token = self.cleaned_data.get("token", "")
        try:
            self.nonce = submission_nonce(token)
        except signing.SignatureExpired:
            self.add_error(None, _("This page was open for a long time. Please check your text and send it again."))
        except signing.BadSignature:
            self.add_error(None, _("The form could not be verified. Please check your text and send it again."))
        return token

    def clean_content(self) -> str:
        text = self.cleaned_data.get("content", "")
        return _checked(lambda raw: clean_content(raw, with_voice=self.with_voice), text)

    def clean(self):
        data = super().clean()
        name, phone = data.get("name", ""), data.get("phone", "")
        if data.get("anonymous"):
            # Dropped, never checked: the page says so next to the box, the receipt says so after.
            self.contact_dropped = bool(name.strip() or phone.strip())
            for field in ("name", "phone"):
                self.errors.pop(field, None)
            data["name"] = data["phone"] = ""
            return data
        for field, check in (("name", clean_name), ("phone", normalize_mobile)):
            if field in data:
                try:
                    data[field] = check(data[field])
                except InvalidInput as error:
                    self.add_error(field, str(error.message))
        if (name.strip() or phone.strip()) and not data.get("consent"):
            self.add_error(
                "consent",
                _("You left your name or phone number: please tick the box to agree that we use them for this case."),
            )
        return data

    @property
    def idempotency_key(self) -> str:
        return submission_key(self.nonce) if self.nonce else ""

    def check_category(self, categories) -> None:
        """Refuse a category missing from the page's list (`categories`), stale or forged, next
        to the other mistakes. Only for a round that has mistakes anyway: it draws the page with
        that list; a form without mistakes leaves the check to issue_submit, at no extra cost."""
        category = self.cleaned_data.get("category") if hasattr(self, "cleaned_data") else None
        if category is not None and "category" not in self.errors and category not in {c.pk for c in categories}:
            self.add_error("category", _("Choose a category from the list."))

    def add_service_error(self, error) -> None:
        """Show an liaison.errors.InvalidInput next to the field it is about."""
        field = error.field if error.field in ("content", "phone", "name", "category", "photos", "voice") else None
        self.add_error(field, str(error.message))


SubmissionForm.base_fields = _SharedFields(SubmissionForm.base_fields)


def _checked(check, value):
    """A shared validator's result, its InvalidInput as the form's ValidationError."""
    try:
        return check(value)
    except InvalidInput as error:
        raise forms.ValidationError(str(error.message)) from None


class RatingForm(forms.Form):
    rating = forms.ChoiceField(choices=Rating.choices, error_messages={"required": gettext_lazy("Choose a rating.")})
    comment = forms.CharField(required=False, strip=True, max_length=4000)


class LookupForm(forms.Form):
    code = forms.CharField(max_length=64, error_messages={"required": gettext_lazy("Enter the code on your receipt.")})
    # Empty for a case sent anonymously (it has no phone); a case with a phone still needs them.
    phone_last4 = forms.RegexField(
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": gettext_lazy("Enter the last four digits of your phone number.")},
    )
