from django.urls import path

from . import views

app_name = "bureau"
urlpatterns = [
    path("", views.org_chart, name="index"),
    path("units/", views.unit_list, name="unit-list"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("units/<int:pk>/appoint/", views.appointment_create, name="appointment-create"),
    path("appointments/<int:pk>/end/", views.appointment_end, name="appointment-end"),
    path("people/", views.person_list, name="person-list"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("transfers/", views.transfer_list, name="transfer-list"),
    path("transfers/new/", views.transfer_plan, name="transfer-plan"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer-detail"),
    path("mirror/", views.county_mirror, name="county-mirror"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("account/", views.account, name="account"),
    path("account/two-factor/", views.two_factor_verify, name="two-factor-verify"),
    path("account/two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("api-tokens/", views.api_token_list, name="api-token-list"),
    path("api-tokens/new/", views.api_token_create, name="api-token-create"),
    path("api-tokens/<int:pk>/rotate/", views.api_token_rotate, name="api-token-rotate"),
    path("api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
