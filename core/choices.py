"""Vocabulary every app shares. No logic here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChainSegment(models.TextChoices):
    """The value chain as the policy paper divides it: policies, enterprises and programmes are placed on it."""

    # 前端: research, development and design
    FRONT = "front", _("Front end: R&D and design")
    # 中端: making products ("温州智造")
    MIDDLE = "middle", _("Middle: manufacturing")
    # 末端: selling and use
    END = "end", _("End: sales and application")
