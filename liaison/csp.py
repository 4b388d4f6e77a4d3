"""Content-Security-Policy on every page (django-csp; the policy is settings.CONTENT_SECURITY_POLICY).

Scripts come only from our own static files: no page has an inline script or an event-handler
attribute. The only inline code left is a few <style> blocks, each allowed by its SHA-256 hash:

- the villager's pages carry their stylesheet inline (villagers/templates/public/_style.css, 5 KB) rather
  than linked: a villager scans a QR code once, on a weak signal, and a linked stylesheet would
  hold the page blank for one more round trip (half a second and more on 2G), every first
  visit. The pages are also cached as rendered HTML, so a per-request nonce would be stale in
  them; a hash fits both. It is computed once per process from the rendered template (on every
  response with DEBUG on, so that an edited stylesheet needs no restart);
- the failsafe pages (liaison.failsafe.PAGE_STYLE), served when the database is down.

A view that needs more says so with django-csp's decorators (the API's Swagger UI does)."""

import base64
import functools
import hashlib

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.template.loader import render_to_string

INLINE_STYLE_TEMPLATES = ["public/_style.css", "public/_elder.css"]  # the second: 长辈版 only


def _hash_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _inline_style_sources() -> tuple[str, ...]:
    from liaison.failsafe import PAGE_STYLE

    styles = [render_to_string(name) for name in INLINE_STYLE_TEMPLATES] + [PAGE_STYLE]
    return tuple(_hash_source(style) for style in styles)


_inline_style_sources_once = functools.cache(_inline_style_sources)


def inline_style_sources() -> tuple[str, ...]:
    """The hash sources of the site's inline <style> blocks, for style-src."""
    return _inline_style_sources() if settings.DEBUG else _inline_style_sources_once()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the inline styles' hashes added to style-src unless a view
    replaced style-src (a hash there would switch off the 'unsafe-inline' it asked for)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and "style-src" not in (parts.replace or {}):
            update = dict(parts.update or {})
            update["style-src"] = [*update.get("style-src", ()), *inline_style_sources()]
            parts.update = update
        return parts
