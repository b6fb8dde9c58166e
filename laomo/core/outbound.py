"""The pluggable outbound notification hook (e.g. an SMS gateway). Off unless configured."""

import json
import logging
import urllib.request

from django.conf import settings

log = logging.getLogger("laomo.outbound")


def send_outbound(*, recipients: list[int], text: str, url: str = "") -> bool:
    endpoint = settings.LAOMO_NOTIFY_WEBHOOK_URL
    if not endpoint:
        return False
    body = json.dumps({"recipients": recipients, "text": text, "url": url}, ensure_ascii=False).encode()
    request = urllib.request.Request(endpoint, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310 (operator-configured URL)
            return True
    except OSError as exc:  # a failing gateway must not break the business write
        log.warning("outbound notification failed: %s", exc)
        return False
