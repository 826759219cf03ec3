"""Every app's API under /api/v1/: each app contributes its routes in `<app>/api/urls.py`.

Each app's router would answer /api/v1/ with a root of its own routes only (the first included wins):
the root here lists every app's lists.
"""

from importlib import import_module

from django.urls import include, path

from bureau.api.views import ObtainTokenView
from core.api.views import ApiRootView, MeView

API_APPS = ("bureau", "datacenter", "funds", "policies", "meetings")


def api_root_dict() -> dict[str, str]:
    """Every registered list, by its prefix, as DefaultRouter's root names them (`<basename>-list`)."""
    links = {"auth/me": "auth-me"}
    for app in API_APPS:
        router = import_module(f"{app}.api.urls").router
        for prefix, _viewset, basename in router.registry:
            links[prefix] = router.routes[0].name.format(basename=basename)
    return links


app_name = "api"
urlpatterns = [
    path("", ApiRootView.as_view(api_root_dict=api_root_dict()), name="api-root"),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("auth/me/", MeView.as_view(), name="auth-me"),
    *(path("", include(f"{app}.api.urls")) for app in API_APPS),
]
