"""The 劳模登记表 (档案卡): one A4 sheet in the layout of official registration forms, as a page and as a PDF.

The ID number, phone and address are masked unless the user may reveal PII; printing the full values is a
reveal, audited like the detail page's (`workers.services.worker_pii`, purpose ``card``).
"""

from __future__ import annotations

import base64
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from laomo.care.models import HardshipLevel
from laomo.care.selectors.common import hardship_level_asof
from laomo.core.permissions import has_capability

from . import services
from .models import WorkerLifeEvent
from .photos import photo_bytes
from .selectors import honors_of

CARD_CSS = Path(__file__).resolve().parent / "static" / "workers" / "card.css"


def _pii(*, worker, user) -> dict:
    if has_capability(user, "reveal_pii") and (worker.id_number or worker.phone or worker.address):
        values = services.worker_pii(actor=user, worker=worker, purpose="card")
        return {**values, "revealed": True}
    return {"id_number": worker.id_number_masked, "phone": worker.phone_masked,
            "address": "***" if worker.address else "", "revealed": False}


def card_context(*, worker, user, embed_photo: bool = False) -> dict:
    """What the sheet shows; `embed_photo` puts the photo in as a data URI (the PDF has no session)."""
    level = hardship_level_asof(worker)
    photo = ""
    if embed_photo:
        data = photo_bytes(worker)
        photo = f"data:image/jpeg;base64,{base64.b64encode(data).decode()}" if data else ""
    return {
        "worker": worker, "honors": honors_of(worker=worker), "pii": _pii(worker=worker, user=user),
        "photo_src": photo, "printed_on": timezone.localdate(),
        "hardship": HardshipLevel(level).label if level else "未调查",
        "life_events": WorkerLifeEvent.objects.filter(worker=worker).order_by("day", "id"),
    }


def render_card_pdf(*, worker, user) -> bytes:
    from weasyprint import CSS, HTML  # noqa: PLC0415  (heavy: loaded only when a PDF is asked for)

    html = render_to_string("workers/card_print.html", card_context(worker=worker, user=user, embed_photo=True))
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(CARD_CSS))])
