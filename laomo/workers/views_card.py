"""The 劳模登记表 (page and PDF) and the ID photo, each through the scoped `worker_get` (another county's worker
is a 404, never a photo or a card)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from laomo.core.permissions import capability_required

from . import selectors
from .card import card_context, render_card_pdf
from .photos import photo_bytes


@capability_required("view_business")
def worker_card(request, pk):
    worker = selectors.worker_get(user=request.user, pk=pk)
    ctx = card_context(worker=worker, user=request.user)
    if worker.photo:
        ctx["photo_src"] = reverse("workers:photo", args=[worker.pk])
    return render(request, "workers/worker_card.html", ctx)


@capability_required("view_business")
def worker_card_pdf(request, pk):
    worker = selectors.worker_get(user=request.user, pk=pk)
    response = HttpResponse(render_card_pdf(worker=worker, user=request.user), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=\"card-{worker.worker_no}.pdf\""
    return response


@capability_required("view_business")
def worker_photo(request, pk):
    worker = selectors.worker_get(user=request.user, pk=pk)
    data = photo_bytes(worker)
    if data is None:
        raise Http404("该劳模没有证件照")
    response = HttpResponse(data, content_type="image/jpeg")
    response["Content-Disposition"] = "inline"
    return response
