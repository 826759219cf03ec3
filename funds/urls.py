from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard.xlsx", views.dashboard_xlsx, name="dashboard-xlsx"),
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme-detail"),
    path("applications/", views.application_list, name="application-list"),
    path("applications/new/", views.application_create, name="application-create"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/<slug:action>/", views.application_action, name="application-action"),
]
