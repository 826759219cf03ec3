from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("Funds")

    def ready(self) -> None:
        from policies import registry

        from . import selectors

        # The catalogue shows the fund's programmes without importing the fund.
        registry.coverage_providers.append(selectors.programmes_for_coverage)
        registry.policy_section_providers.append(selectors.programmes_for_policy)
