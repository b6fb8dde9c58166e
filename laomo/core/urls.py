from django.urls import path

from . import delivery_views, dictionary_views, import_views, views

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_list, name="audit_list"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/download/", views.job_download, name="job_download"),
    path("year/", views.set_year, name="set_year"),
    path("setup/", views.golive_checklist, name="golive_checklist"),
    path("notifications/", views.notifications, name="notifications"),
    path("deliveries/", delivery_views.delivery_list, name="deliveries"),
    path("deliveries/<int:pk>/resend/", delivery_views.delivery_resend_view, name="delivery_resend"),
    path("dictionary/", dictionary_views.dictionary_page, name="dictionary"),
    path("dictionary/<slug:kind>/new/", dictionary_views.dictionary_item_create, name="dictionary_item_create"),
    path("dictionary/items/<int:pk>/", dictionary_views.dictionary_item_edit, name="dictionary_item_edit"),
    path("imports/", import_views.import_hub, name="imports"),
    path("imports/<slug:kind>/", import_views.import_upload, name="import_upload"),
    path("imports/<slug:kind>/template/", import_views.import_template, name="import_template"),
    path("imports/<slug:kind>/<uuid:job_id>/", import_views.import_result, name="import_result"),
    path("imports/<slug:kind>/<uuid:job_id>/commit/", import_views.import_commit, name="import_commit"),
]
