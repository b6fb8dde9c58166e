"""消息发送记录 (/core/deliveries/): the outbound deliveries, for the system administrator, with 重发."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from .channels import CHANNEL_CHOICES
from .deliveries import delivery_filters_q, delivery_resend
from .models import Delivery, DeliveryStatus
from .permissions import capability_required
from .web import list_page, run_action


@capability_required("manage_users")
def delivery_list(request):
    status, channel = request.GET.get("status", ""), request.GET.get("channel", "")
    qs = Delivery.objects.filter(delivery_filters_q(status=status, channel=channel)).order_by("-created_at", "-id")
    return list_page(request, qs, template="core/delivery_list.html", partial="core/partials/delivery_rows.html",
                     context={"status": status, "channel": channel, "statuses": DeliveryStatus.choices,
                              "channels": CHANNEL_CHOICES})


@require_POST
@capability_required("manage_users")
def delivery_resend_view(request, pk):
    delivery = get_object_or_404(Delivery, pk=pk)
    back = request.POST.get("next", "")
    target = back if back.startswith("/core/deliveries/") else reverse("core:deliveries")
    return run_action(request, lambda: delivery_resend(actor=request.user, delivery=delivery),
                      success="已重新排队发送。", redirect_to=target)
