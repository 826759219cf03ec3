"""Abstract bases every app's models share; no domain logic here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """A record that knows when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class IdempotentRequest(models.Model):
    """A POST made with an `Idempotency-Key` header, and the answer it got.

    A repeat of the same key by the same user returns the stored answer and does nothing
    again; the same key with a different request is refused.
    """

    user = models.ForeignKey("bureau.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("idempotency key"), max_length=128)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    response_body = models.JSONField(_("response body"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
