from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BureauConfig(AppConfig):
    name = "bureau"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import note_device
        from .roles import sync_role_permissions

        user_logged_in.connect(note_device, dispatch_uid="bureau.two_factor_note_device")

        # Permissions exist only after every app has migrated, so the grants are synced then.
        post_migrate.connect(sync_role_permissions, dispatch_uid="bureau.sync_role_permissions")
