from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("Policies")

    def ready(self) -> None:
        from datacenter.registry import register_section

        from . import selectors

        # Registering a profile section is the only way the catalogue touches the data center.
        register_section(
            "policies", title=_("Policies in force for its segment and fields"), build=selectors.enterprise_section,
            template="policies/_profile.html", order=40,
        )  # fmt: skip
