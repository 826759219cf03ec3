"""Third-party apps under names of our own (their admin sections), in the interface's language.

Each class subclasses the app's own configuration, so its `ready()` and label stay as they are; only
`verbose_name` changes (INSTALLED_APPS names these classes). The apps' model names are theirs: django-axes
marks them for translation and the Chinese is in core's catalogue (below); django-otp and django-pghistory
do not mark theirs, and changing a model's verbose name from here would be a migration in their apps.
"""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_static.apps import DefaultConfig as OtpStaticAppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OtpTotpAppConfig
from pghistory.apps import PGHistoryConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in lockouts")


class OtpTotpConfig(OtpTotpAppConfig):
    verbose_name = _("Authenticator apps (two-factor sign-in)")


class OtpStaticConfig(OtpStaticAppConfig):
    verbose_name = _("Recovery codes (two-factor sign-in)")


class HistoryConfig(PGHistoryConfig):
    verbose_name = _("Audit history")


# django-axes' model names, translated through gettext by axes itself: their Chinese lives in core's catalogue.
AXES_MODEL_NAMES = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
]
