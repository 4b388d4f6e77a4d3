"""The endpoint where the governance platform delivers its departments' replies."""

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from issues.platform_callbacks import CallbackRejected, platform_reply_received

logger = logging.getLogger(__name__)


@csrf_exempt  # authenticated by the HMAC signature instead
@require_POST
def governance_callback(request, code: str | None = None):
    """The global platform's callbacks, or (with `code`) those of one county's platform."""
    try:
        outcome = platform_reply_received(
            body=request.body,
            timestamp=request.headers.get("X-Platform-Timestamp", ""),
            signature=request.headers.get("X-Platform-Signature", ""),
            platform_code=code,
        )
    except CallbackRejected as rejected:
        logger.warning("governance callback rejected (%s): %s", rejected.status, rejected.message)
        return JsonResponse(
            {"error": {"code": rejected.code, "message": str(rejected.message)}}, status=rejected.status
        )
    return JsonResponse({"status": outcome})
