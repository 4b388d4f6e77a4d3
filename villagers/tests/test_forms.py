"""The villager's form shares its fields between requests: using one must leave them as they were."""

from django.utils.translation import override

from villagers.forms import SubmissionForm, new_submission_token


def field_state(fields) -> dict:
    return {
        name: (field.required, dict(field.widget.attrs), dict(field.error_messages), list(field.validators))
        for name, field in fields.items()
    }


def test_submission_forms_share_their_fields_and_leave_them_as_they_were():
    before = field_state(SubmissionForm.base_fields)
    bad = SubmissionForm({"content": "x" * 5000, "category": "abc", "phone": "1" * 50, "token": "forged"})
    good = SubmissionForm({"content": "村口路灯坏了。", "token": new_submission_token(), "name": "王", "consent": "on"})

    with override("zh-hans"):
        assert not bad.is_valid()
        assert good.is_valid(), good.errors
        bad.add_error("photos", "照片太大")
        for form in (bad, good):
            for bound in form:
                str(bound)  # rendering a widget must not change it either

    assert bad.fields["content"] is good.fields["content"] is SubmissionForm.base_fields["content"]
    assert field_state(SubmissionForm.base_fields) == before
    assert set(bad.errors) == {"content", "category", "phone", "photos", "__all__"}
    assert not good.errors
