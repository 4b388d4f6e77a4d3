"""QR previews, poster links and token rotation on the deputy and station pages.

The QR pages and the rotation services are built separately; until they land, every lookup
here answers None instead of crashing the page."""

from django.contrib import messages
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _


def safe_reverse(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def public_url(kind: str, obj) -> str | None:
    """The absolute public URL a deputy's or station's QR code encodes."""
    try:
        from liaison import qr
    except ImportError:
        return None
    function = getattr(qr, f"{kind}_public_url", None)
    return function(obj) if function else None


def qr_preview(kind: str, obj):
    if obj is None or obj.pk is None:
        return "—"
    src = safe_reverse(f"public:{kind}-qr", pk=obj.pk, fmt="svg") or safe_reverse(f"public:{kind}-qr", pk=obj.pk)
    url = public_url(kind, obj)
    if src is None:
        return url or _("The QR code is not available yet.")
    return format_html(
        '<img src="{}" alt="QR" width="160" height="160" class="liaison-qr"><br><span class="liaison-muted">{}</span>',
        src,
        url or "",
    )


def print_links(kind: str, obj) -> list[tuple[str, str]]:
    """(label, url) for the poster and, for stations, the printable cards of its deputies."""
    if obj is None or obj.pk is None:
        return []
    candidates = [(_("QR poster"), f"public:{kind}-poster")]
    if kind == "station":
        candidates.append((_("Print page of the deputies' cards"), "public:station-cards"))
    candidates.append((_("QR image (PNG)"), f"public:{kind}-qr"))
    links = []
    for label, name in candidates:
        kwargs = {"pk": obj.pk, "fmt": "png"} if name.endswith("-qr") else {"pk": obj.pk}
        url = safe_reverse(name, **kwargs)
        if url:
            links.append((label, url))
    return links


def rotate_service(kind: str):
    try:
        if kind == "deputy":
            from deputies.services import deputy_rotate_token as service
        else:
            from stations.services import station_rotate_token as service
    except ImportError:
        return None
    return service


def rotate_token(request, kind: str, obj) -> None:
    """Call the rotation service and say what happened: old posters stop working."""
    service = rotate_service(kind)
    if service is None:
        messages.error(request, _("Rotating the QR code is not available yet."))
        return
    service(**{kind: obj, "by_user": request.user})
    messages.success(request, _("New QR code issued. Print the new poster: the old code no longer works."))


class QrPageMixin:
    """For a ScopedAdmin of Deputy or Station: QR preview field, poster links and a POST-only
    "rotate token" sub-view for those `can_rotate` allows."""

    qr_kind: str = ""
    change_form_template = "admin/liaison/qr_change_form.html"

    def can_rotate(self, request, obj) -> bool:
        raise NotImplementedError

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "<path:object_id>/rotate-token/",
                self.admin_site.admin_view(self.rotate_token_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_rotate_token",
            ),
            *super().get_urls(),
        ]

    def rotate_token_view(self, request, object_id):
        from django.core.exceptions import PermissionDenied
        from django.http import Http404, HttpResponseNotAllowed
        from django.shortcuts import redirect

        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404(_("Not found."))
        if not self.can_rotate(request, obj):
            raise PermissionDenied
        rotate_token(request, self.qr_kind, obj)
        return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if obj is not None:
            extra["liaison_print_links"] = print_links(self.qr_kind, obj)
            if self.can_rotate(request, obj) and rotate_service(self.qr_kind) is not None:
                extra["liaison_rotate_url"] = reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_rotate_token", args=[obj.pk]
                )
                extra["liaison_rotate_confirm"] = _(
                    "Issue a new QR code? Printed posters with the old one stop working."
                )
        return super().change_view(request, object_id, form_url, extra)
