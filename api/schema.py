"""OpenAPI details drf-spectacular cannot infer: every operation documents the errors its view
can answer (in the one error shape), and 429 documents its Retry-After header."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from api.serializers import ErrorSerializer

ERROR_DESCRIPTIONS = {
    400: _("Invalid input: `fields` says what to fix."),
    401: _("Not logged in: send `Authorization: Token <token>`."),
    403: _("Logged in, but not allowed to do this."),
    404: _("No such thing, or outside what you may see."),
    409: _("The case is not in a state that allows this, or someone else changed it first."),
    413: _("The request or a photo is too large."),
    422: _("The Idempotency-Key was already used for a different request."),
    429: _("Too many requests: wait for Retry-After seconds."),
}


class ApiSchema(AutoSchema):
    """Adds the view's `error_statuses` to each operation's responses."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in sorted(getattr(self.view, "error_statuses", ())):
            key = str(status)
            if key in responses:
                continue
            body = OpenApiResponse(ErrorSerializer, description=str(ERROR_DESCRIPTIONS.get(status, "")))
            responses[key] = self._get_response_for_code(body, key, direction=direction)
            if status == 429:
                responses[key]["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": str(_("Seconds to wait before trying again.")),
                    }
                }
        return responses
