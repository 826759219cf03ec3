from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.permissions import require_perm

from . import selectors
from .filtersets import UnitFilterSet


@login_required
@require_perm("bureau.view_unit")
def index(request: HttpRequest) -> HttpResponse:
    filterset = UnitFilterSet(request.GET or None, queryset=selectors.unit_list(user=request.user))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "bureau/index.html", {"filterset": filterset, "page": page})
