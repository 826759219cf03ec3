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

        from datacenter.registry import register_section

        # The enterprise profile shows the fund's part without the data center importing the fund.
        register_section(
            "funds", title=_("Fund applications and money received"), build=selectors.enterprise_section,
            template="funds/_profile.html", order=50,
        )  # fmt: skip
