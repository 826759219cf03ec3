from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatacenterConfig(AppConfig):
    name = "datacenter"
    verbose_name = _("Data center")

    def ready(self) -> None:
        from . import profile

        profile.register()

        from core.metrics import register_gauge

        from .selectors import job_outcomes

        register_gauge("portal_ingestion_jobs", "Ingestion jobs by status", ["status"], job_outcomes)
