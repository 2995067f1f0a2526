from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from konbit.core.models import TenantModel


class OrganizationType(models.TextChoices):
    LEAD_FIRM = "lead_firm", _("Lead firm")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    AWARDEE = "awardee", _("Awardee / grantee")
    PRODUCER_GROUP = "producer_group", _("Producer group or association")
    GOVERNMENT = "government", _("Government agency")
    FINANCIAL = "financial", _("Financial institution")
    NGO = "ngo", _("NGO")
    DONOR = "donor", _("Donor / other initiative")
    RESEARCH = "research", _("Research or training body")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class OrganizationSize(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    MICRO = "micro", _("Micro (under 10 people)")
    SMALL = "small", _("Small (10–49)")
    MEDIUM = "medium", _("Medium (50–249)")
    LARGE = "large", _("Large (250 or more)")


class Organization(TenantModel):
    """Any actor in the system. A partner is an organisation the programme engages with."""

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    type = models.CharField(
        _("type"), max_length=20, choices=OrganizationType.choices, default=OrganizationType.OTHER
    )
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    size = models.CharField(
        _("size"), max_length=10, choices=OrganizationSize.choices, blank=True, default=""
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["program", "name"], name="org_program_name_idx"),
            models.Index(fields=["program", "type"], name="org_program_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name
