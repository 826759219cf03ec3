"""Every app's API under /api/v1/: each app contributes its routes in `<app>/api/urls.py`."""

from django.urls import include, path

from bureau.api.views import ObtainTokenView
from core.api.views import MeView

app_name = "api"
urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("auth/me/", MeView.as_view(), name="auth-me"),
    path("", include("bureau.api.urls")),
    path("", include("datacenter.api.urls")),
    path("", include("funds.api.urls")),
    path("", include("policies.api.urls")),
    path("", include("meetings.api.urls")),
]
