from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/new/", views.org_form, name="org_create"),
    path("orgs/<int:pk>/edit/", views.org_form, name="org_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_form, name="user_create"),
    path("users/<int:pk>/edit/", views.user_form, name="user_edit"),
    path("users/<int:pk>/toggle-active/", views.user_toggle_active, name="user_toggle_active"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("security/", views.security, name="security"),
    path("security/unlock/", views.security_unlock, name="security_unlock"),
    path("security/users/<int:pk>/reset-2fa/", views.security_reset_2fa, name="security_reset_2fa"),
    path("security/tokens/<int:pk>/revoke/", views.security_revoke_token, name="security_revoke_token"),
]
