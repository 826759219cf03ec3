from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .permissions import may_open

# The five areas of the portal, in the order the navigation shows them.
AREAS = [
    ("bureau:index", _("Organisation"), "diagram-3"),
    ("policies:index", _("Policies"), "journal-text"),
    ("funds:index", _("Funds"), "cash-coin"),
    ("datacenter:index", _("Data center"), "database"),
    ("meetings:index", _("Joint meeting"), "people"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    """The areas the user may open (the same permissions their pages require), for the top bar and home."""
    items = []
    for url_name, label, icon in AREAS:
        url = reverse(url_name)
        if not may_open(request.user, url):
            continue
        items.append({"url": url, "label": label, "icon": icon, "active": request.path.startswith(url)})
    return {"nav_areas": items}
