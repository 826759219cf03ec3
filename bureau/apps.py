from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BureauConfig(AppConfig):
    name = "bureau"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from .roles import sync_role_permissions

        # Permissions exist only after every app has migrated, so the grants are synced then.
        post_migrate.connect(sync_role_permissions, dispatch_uid="bureau.sync_role_permissions")
