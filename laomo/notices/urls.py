from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.index, name="index"),
    path("inbox/", views.inbox, name="inbox"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("inbox/<int:pk>/", views.received, name="received"),
    path("inbox/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
]
