from django.contrib.auth import views as auth_views
from django.urls import include, path

from laomo.core import views as core_views
from laomo.core.health import healthz
from laomo.orgs import views as org_views

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("accounts/login/", org_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", org_views.password_change, name="password_change"),
    path("accounts/2fa/setup/", org_views.otp_setup, name="otp_setup"),
    path("accounts/2fa/verify/", org_views.otp_verify, name="otp_verify"),
    path("system/", include("laomo.orgs.urls")),
    path("core/", include("laomo.core.urls")),
    path("workers/", include("laomo.workers.urls")),
    path("reports/", include("laomo.reports.urls")),
    path("api/v1/", include("laomo.api.urls")),
    path("healthz", healthz, name="healthz"),  # DESIGN.md §9: load balancers, make run
]
# Each business module serves its pages under /<module>/ (the portal: public pages).
MODULES = ("outreach", "volunteering", "studios", "care", "retreats", "notices", "reminders", "portal")
urlpatterns += [path(f"{name}/", include(f"laomo.{name}.urls")) for name in MODULES]

handler403 = "laomo.core.views.error_403"
handler404 = "laomo.core.views.error_404"
handler500 = "laomo.core.views.error_500"
