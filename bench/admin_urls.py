"""URLconf of the benchmarks: laomo's URLs, the Django admin changelist of Worker, a hello-world floor."""

from django.contrib import admin
from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import path

from laomo.urls import urlpatterns as laomo_urlpatterns
from laomo.workers.models import Honor, Worker

bench_admin = admin.AdminSite(name="bench_admin")


class WorkerAdmin(admin.ModelAdmin):
    """A plain ModelAdmin showing the columns of laomo's list page, with the admin's usual options."""

    list_display = ("worker_no", "name", "sex", "birth_date", "id_number_masked", "org", "employer",
                    "highest_level_rank", "honor_titles", "employment_status")
    list_filter = ("org", "highest_level_rank")
    list_select_related = ("org",)
    list_per_page = 50  # laomo's page size

    def get_queryset(self, request):
        # The honors column without one query per row, as an admin author would write it.
        return super().get_queryset(request).filter(is_deleted=False).prefetch_related(
            Prefetch("honors", queryset=Honor.objects.filter(is_deleted=False).order_by("-year", "id")))

    @admin.display(description="荣誉")
    def honor_titles(self, obj):
        return "、".join(f"{h.year}年{h.title}" if h.year else h.title for h in obj.honors.all())


bench_admin.register(Worker, WorkerAdmin)


def hello(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench-admin/", bench_admin.urls),
    path("bench-hello/", hello),
    *laomo_urlpatterns,
]
handler403 = "laomo.core.views.error_403"
handler404 = "laomo.core.views.error_404"
handler500 = "laomo.core.views.error_500"
