from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bureau.selectors import unseen_notification_count

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
    """The areas the user may open (the same permissions their pages require), for the top bar and home, and
    the top bar's notification bell."""
    items = []
    for url_name, label, icon in AREAS:
        url = reverse(url_name)
        if not may_open(request.user, url):
            continue
        items.append({"url": url, "label": label, "icon": icon, "active": request.path.startswith(url)})
    return {"nav_areas": items, **notification_bell(request)}


def notification_bell(request: HttpRequest) -> dict[str, object]:
    """The link to the user's notices, if they may open it, and how many they have not seen yet. The count is
    one query, run only when a template shows it (fragments that leave out the top bar do not pay for it)."""
    url = reverse("bureau:notification-list")
    if not may_open(request.user, url):
        return {"notifications_url": None, "unseen_notifications": 0}
    user = request.user
    count: Callable[[], int] = cache(lambda: unseen_notification_count(user=user))
    return {"notifications_url": url, "unseen_notifications": count}
