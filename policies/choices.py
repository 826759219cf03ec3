"""The catalogue's fixed vocabularies."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import ChainSegment as SharedChainSegment


class PolicyStatus(models.TextChoices):
    # Being written by bureau staff; visible only to them.
    DRAFT = "draft", _("Draft")
    # Submitted for review; still editable only by sending it back to draft.
    UNDER_REVIEW = "under_review", _("Under review")
    # In the catalogue and in force between its effective and expiry dates.
    PUBLISHED = "published", _("Published")
    # Replaced by a later published version (an amendment); kept for the record.
    AMENDED = "amended", _("Amended")
    # Repealed by a catalogue policy or a repealing document.
    REPEALED = "repealed", _("Repealed")
    # Its expiry date has passed.
    EXPIRED = "expired", _("Expired")


# Statuses whose text is public to every signed-in user (and to departments' systems).
PUBLIC_STATUSES = (PolicyStatus.PUBLISHED, PolicyStatus.AMENDED, PolicyStatus.REPEALED, PolicyStatus.EXPIRED)
# Statuses of a policy that was once in force: the coverage map counts them for past dates.
ONCE_IN_FORCE = PUBLIC_STATUSES


class PolicyTier(models.TextChoices):
    # The "1" of 1+X: the master plan.
    MASTER = "master", _("Master plan (1)")
    # One of the "X": a sub-policy under the master plan.
    SUB = "sub", _("Sub-policy (X)")


# The value chain is shared vocabulary: core.choices.ChainSegment.
ChainSegment = SharedChainSegment


class PolicyTopic(models.TextChoices):
    # Topic classification, after the State Council's document subject headings.
    INDUSTRY = "industry", _("Industry and IT")
    COMMERCE = "commerce", _("Commerce and trade")
    SCIENCE = "science", _("Science and technology")
    FINANCE = "finance", _("Finance and taxation")
    CULTURE = "culture", _("Culture")
    URBAN = "urban", _("Urban construction")
    TALENT = "talent", _("Talent and employment")
    GENERAL = "general", _("General government affairs")


class LegacyDisposition(models.TextChoices):
    # Its content was merged into a catalogue policy.
    MERGED = "merged", _("Merged into")
    # A catalogue policy replaces it.
    SUPERSEDED = "superseded", _("Superseded by")
    # A catalogue policy repealed it.
    REPEALED = "repealed", _("Repealed by")
