"""The results wall in the admin: the published results (withdraw one), the answered cases that
may be published, and the review page that shows each case de-identified, with what was taken
out, before staff publish it. Every write goes through results.services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from issues.models import Issue
from issues.permissions import Actor, scope_of
from liaison.errors import IssueError, IssueNotFound
from results import selectors, services
from results.models import Publication


class ReviewForm(forms.Form):
    problem = forms.CharField(
        label=gettext_lazy("Problem, as it will be published"), widget=forms.Textarea(attrs={"rows": 6})
    )
    answer = forms.CharField(
        label=gettext_lazy("Answer, as it will be published"), widget=forms.Textarea(attrs={"rows": 6})
    )


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["issue_code", "station", "published_at", "is_live", "withdrawn_by_villager"]
    list_filter = ["withdrawn_by_villager"]
    change_list_template = "admin/results/publication/change_list.html"
    readonly_fields = ["issue", "station", "problem", "answer", "removed_counts", "days_taken", "published_at"]
    fields = [*readonly_fields, "withdrawn_at", "withdrawn_by_villager"]
    actions = ["withdraw_selected"]

    @admin.display(description=gettext_lazy("case"))
    def issue_code(self, obj):
        return obj.issue.short_code

    @admin.display(description=gettext_lazy("on the wall"), boolean=True)
    def is_live(self, obj):
        return obj.is_live

    def get_queryset(self, request):
        return selectors.publications_visible_to(request.user)

    def has_module_permission(self, request):
        return not scope_of(request.user).is_empty

    def has_view_permission(self, request, obj=None):
        return not scope_of(request.user).is_empty

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404  # a result outside the user's stations looks exactly like none

    def has_add_permission(self, request):
        return False  # published from the review page, never typed in

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def idor_outside(self, world, role):
        """For the generated IDOR test: a published result of a case on the other side."""
        near = {"deputy_a", "station_staff", "township_staff", "county_admin"}
        station = world.xiushan_station if role in near else world.railway_point
        issue = Issue.objects.filter(station=station).first()
        marker = f"{station.name}公示结果{issue.pk}"
        publication, _created = Publication.objects.get_or_create(
            issue=issue, defaults={"station": station, "problem": marker, "answer": "已修复。", "days_taken": 3}
        )
        return publication, marker

    @admin.action(description=gettext_lazy("Withdraw from the results wall"))
    def withdraw_selected(self, request, queryset):
        done = 0
        for publication in queryset:
            try:
                services.publication_withdraw(actor=Actor.of(request.user), publication_id=publication.pk)
            except IssueError as error:
                self.message_user(request, f"{publication.issue.short_code}: {error.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("%(n)d results withdrawn.") % {"n": done}, messages.SUCCESS)

    # --- the cases that may be published, and the review --------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("cases/", wrap(self.cases_view), name="results_publication_cases"),
            path("review/<int:issue_id>/", wrap(self.review_view), name="results_publication_review"),
            *super().get_urls(),
        ]

    def cases_view(self, request):
        scope = scope_of(request.user)
        if not (scope.is_superuser or scope.staff_station_ids):  # only those who may publish
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Answered cases that may be published"),
            "cases": selectors.publishable_cases(request.user),
        }
        return TemplateResponse(request, "admin/results/publication/cases.html", context)

    def review_view(self, request, issue_id: int):
        actor = Actor.of(request.user)
        try:
            review = services.publication_review(actor=actor, issue_id=issue_id)
        except IssueNotFound:
            raise Http404 from None
        except IssueError as error:
            self.message_user(request, str(error.message), messages.ERROR)
            return redirect(reverse("admin:results_publication_cases"))
        form = ReviewForm(initial={"problem": review.problem.text, "answer": review.answer.text})
        if request.method == "POST":
            form = ReviewForm(request.POST)
            if form.is_valid():
                try:
                    services.publication_publish(actor=actor, issue_id=issue_id, **form.cleaned_data)
                except IssueError as error:
                    form.add_error(error.field if error.field in ("problem", "answer") else None, str(error.message))
                else:
                    self.message_user(request, _("Published on the results wall."), messages.SUCCESS)
                    return redirect(reverse("admin:results_publication_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Review before publishing"),
            "review": review,
            "form": form,
        }
        return TemplateResponse(request, "admin/results/publication/review.html", context)
