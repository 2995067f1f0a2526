"""Interventions and their results chains.

This is the first cut of the results models, written as the contract the indicators app builds on
(an indicator may belong to an intervention and to one box of its results chain). The rest of the
steering pillar (phase guidance and checklists, the facilitator's role history, AAER stages, the
competition/cooperation matrix, rolling exit) extends this module.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from konbit.core.models import TenantModel


class SystemFunction(models.TextChoices):
    CORE = "core", _("Core exchange")
    SUPPORTING = "supporting", _("Supporting function")
    RULES = "rules", _("Rules and regulation")


class Lever(models.TextChoices):
    LEAD_FIRM = "lead_firm", _("Lead firm")
    RULES = "rules", _("Rules")
    SUPPORTING_FUNCTION = "supporting_function", _("Supporting function")
    OTHER = "other", _("Other")


class InterventionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    DROPPED = "dropped", _("Dropped")


class Intervention(TenantModel):
    """Something the programme does through partners to change how a part of the system works."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    function = models.CharField(_("system function targeted"), max_length=20, choices=SystemFunction.choices)
    lever = models.CharField(_("lever"), max_length=30, choices=Lever.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=InterventionStatus.choices, default=InterventionStatus.PLANNED
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    organizations = models.ManyToManyField(
        "partners.Organization", blank=True, related_name="interventions", verbose_name=_("partners involved")
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return self.title


class ChainLevel(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")
    SYSTEMIC = "systemic", _("Systemic change")
    IMPACT = "impact", _("Impact")


class ChainBox(TenantModel):
    """One box of an intervention's live results chain. Boxes are stable (indicators point at them);
    versions of the chain are frozen copies with a review date, not new boxes."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, related_name="boxes", verbose_name=_("intervention")
    )
    level = models.CharField(_("level"), max_length=20, choices=ChainLevel.choices)
    text = models.CharField(_("text"), max_length=300)
    position = models.PositiveSmallIntegerField(_("order within its level"), default=0)

    class Meta:
        ordering = ["intervention", "level", "position", "pk"]
        verbose_name = _("results chain box")
        verbose_name_plural = _("results chain boxes")

    def __str__(self) -> str:
        return self.text
