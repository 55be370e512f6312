"""The resource directory, shaped on Open Referral HSDS 3.0, plus the agency's own knowledge.

Every row belongs to one agency (``organization``, the tenant, as everywhere in
Casework) and carries the HSDS id it had in the file it came from (``hsds_id``,
unique per agency and table), so that importing the same file twice changes
nothing and an export gives the same ids back.

Names follow HSDS except one: an HSDS *organization* is a ``Provider`` here, because
"organization" already means the agency that uses Casework. HSDS field names are
kept as they are in the specification so that import and export map one to one.

On top of the HSDS data, the agency's knowledge: staff-written ``ProviderNote`` rows,
a "last verified" date, whether a service accepts new referrals, and in-house
services of the agency itself (``Provider.is_own_agency``). ``ServiceOpening`` and the
``search_text`` / ``is_free`` columns are derived from the HSDS rows by
``resources.services.service_refresh`` so that search needs no joins it cannot index.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.models import Organization, Program

#: A service not verified for this many days is flagged as stale in the directory.
STALE_AFTER_DAYS = 365


def loaded(row: models.Model, relation: str) -> list[Any]:
    """The rows of ``relation`` that a list of rows loaded with
    ``Prefetch(relation, to_attr="_" + relation)``, else read now.

    Lists cost a fraction of what Django's prefetch into each row's manager does (a
    queryset cloned per row and relation: 20 ms of a page of search results, and half
    of a matching, at 100,000 services)."""
    rows = row.__dict__.get(f"_{relation}")
    return list(getattr(row, relation).all()) if rows is None else rows


class HsdsRow(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    hsds_id = models.CharField(_("HSDS id"), max_length=100)
    #: What the file said that Casework does not use, so that an export gives it back:
    #: ``kept``, the fields of the standard we have no column for (a service's funding,
    #: program and fees, an organization's programs and identifiers, metadata, ...) as
    #: they came; ``written``, a date or time as the file wrote it (``…45.123Z``,
    #: ``10:00:00``) where that differs from how we would write the column's value.
    hsds_extra = models.JSONField(_("other HSDS fields"), default=dict, blank=True)

    class Meta:
        abstract = True


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("Defunct")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    POSTAL = "postal", _("Postal")
    VIRTUAL = "virtual", _("Virtual")


class Taxonomy(HsdsRow):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    uri = models.CharField(_("URI"), max_length=500, blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="taxonomy_hsds_unique")
        ]

    def __str__(self) -> str:
        return self.name


#: The HSDS id of Casework's own small service-category taxonomy (see resources/categories.py).
CASEWORK_TAXONOMY_ID = "casework-service-categories"


class TaxonomyTerm(HsdsRow):
    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.CASCADE, null=True, blank=True, related_name="terms"
    )
    taxonomy_name = models.CharField(_("taxonomy"), max_length=200, blank=True)
    code = models.CharField(_("code"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    language = models.CharField(_("language"), max_length=20, blank=True)
    term_uri = models.CharField(_("term URI"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="term_hsds_unique")
        ]
        indexes = [models.Index(fields=["organization", "code"])]

    def __str__(self) -> str:
        return self.name


class Provider(HsdsRow):
    """An HSDS organization: someone who provides services (may be the agency itself)."""

    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("also known as"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    website = models.CharField(_("website"), max_length=500, blank=True)
    legal_status = models.CharField(_("legal status"), max_length=200, blank=True)
    year_incorporated = models.PositiveIntegerField(_("year incorporated"), null=True, blank=True)
    tax_status = models.CharField(_("tax status"), max_length=200, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=100, blank=True)
    logo = models.CharField(_("logo URL"), max_length=500, blank=True)
    uri = models.CharField(_("URI"), max_length=500, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    # Agency knowledge, not HSDS:
    is_own_agency = models.BooleanField(
        _("our own agency"),
        default=False,
        help_text=_("Services of this provider are in-house services."),
    )
    partner_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner agency using Casework"),
        help_text=_("Referrals to this provider reach that agency's staff inside Casework."),
    )
    last_verified_on = models.DateField(_("last verified"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="provider_hsds_unique")
        ]
        indexes = [
            models.Index(fields=["organization", "name"]),
            # The agency's own providers, a handful among thousands (in-house services).
            models.Index(
                fields=["organization", "name"],
                condition=models.Q(is_own_agency=True),
                name="provider_own_agency",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Service(HsdsRow):
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("also known as"), max_length=300, blank=True)
    description = models.TextField(_("what it provides"), blank=True)
    url = models.CharField(_("web page"), max_length=500, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    status = models.CharField(
        _("status"), max_length=30, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    interpretation_services = models.TextField(_("interpretation"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    fees_description = models.TextField(_("fees"), blank=True)
    wait_time = models.CharField(_("wait time"), max_length=200, blank=True)
    accreditations = models.TextField(_("accreditations"), blank=True)
    licenses = models.TextField(_("licenses"), blank=True)
    eligibility_description = models.TextField(_("who is eligible"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    alert = models.TextField(_("alert"), blank=True)
    assured_date = models.DateField(_("assured on"), null=True, blank=True)
    assurer_email = models.CharField(_("assured by"), max_length=254, blank=True)
    last_modified = models.DateTimeField(_("last modified (HSDS)"), null=True, blank=True)
    # Agency knowledge, not HSDS:
    accepting_referrals = models.BooleanField(_("accepting new referrals"), default=True)
    in_house_program = models.ForeignKey(
        Program,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("our program"),
    )
    last_verified_on = models.DateField(_("last verified"), null=True, blank=True)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Derived by services.service_refresh, for search:
    search_text = models.TextField(default="", editable=False)
    is_free = models.BooleanField(default=False, editable=False)
    #: Derived by derived.refresh: the service's categories and languages as search tokens
    #: ("_c_housing _t_42 _l_es"), full-text indexed with search_text (migration 0003).
    facets = models.TextField(default="", editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="service_hsds_unique")
        ]
        # Beside these, raw SQL keeps full-text indexes (migrations 0002, 0003): on SQLite
        # a migration that rebuilds this table drops the FTS5 triggers, and must make
        # them again as 0003 does.
        indexes = [
            models.Index(fields=["organization", "status", "name"]),
            # The directory's default order, read from the index (search.browse_order).
            models.Index(
                fields=["organization", "status", "-accepting_referrals", "name", "id"],
                name="resources_service_browse",
            ),
            models.Index(fields=["organization", "provider"]),
            models.Index(fields=["organization", "minimum_age", "maximum_age"]),
        ]

    def __str__(self) -> str:
        return self.name

    # What a list of services shows (see loaded):
    @property
    def attribute_list(self) -> list[Attribute]:
        return loaded(self, "attributes")

    @property
    def language_list(self) -> list[Language]:
        return loaded(self, "languages")

    @property
    def opening_list(self) -> list[ServiceOpening]:
        return loaded(self, "openings")

    @property
    def location_list(self) -> list[ServiceAtLocation]:
        return loaded(self, "at_locations")

    @property
    def is_stale(self) -> bool:
        verified = self.last_verified_on or self.provider.last_verified_on
        return verified is None or verified < timezone.localdate() - timedelta(
            days=STALE_AFTER_DAYS
        )

    @property
    def is_in_house(self) -> bool:
        return self.provider.is_own_agency

    def serves_age(self, age: int | None) -> bool | None:
        """True or False when the age limits decide it; None when the age is unknown."""
        if age is None:
            return None
        if self.minimum_age is not None and age < self.minimum_age:
            return False
        return not (self.maximum_age is not None and age > self.maximum_age)


class Location(HsdsRow):
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="locations"
    )
    location_type = models.CharField(
        _("kind"), max_length=20, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    name = models.CharField(_("name"), max_length=300, blank=True)
    alternate_name = models.CharField(_("also known as"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    transportation = models.TextField(_("getting there"), blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    url = models.CharField(_("web address"), max_length=500, blank=True)
    external_identifier = models.CharField(max_length=200, blank=True)
    external_identifier_type = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="location_hsds_unique")
        ]
        indexes = [models.Index(fields=["organization", "latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name or str(self.hsds_id)

    @property
    def language_list(self) -> list[Language]:
        return loaded(self, "languages")

    @property
    def accessibility_list(self) -> list[Accessibility]:
        return loaded(self, "accessibility")


class Address(HsdsRow):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(_("attention"), max_length=200, blank=True)
    address_1 = models.CharField(_("address"), max_length=300)
    address_2 = models.CharField(_("address line 2"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=200)
    region = models.CharField(_("region"), max_length=200, blank=True)
    state_province = models.CharField(_("state"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=20)
    country = models.CharField(_("country"), max_length=2)
    address_type = models.CharField(_("kind"), max_length=20, default="physical")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="address_hsds_unique")
        ]
        indexes = [models.Index(fields=["organization", "postal_code"])]

    def __str__(self) -> str:
        return ", ".join(
            p for p in (self.address_1, self.address_2, self.city, self.state_province) if p
        )


class ServiceAtLocation(HsdsRow):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="services_here")
    description = models.TextField(_("description"), blank=True)
    # Copied from the location, so a distance search reads one table (derived.refresh).
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="sal_hsds_unique")
        ]
        # With the service, a distance search reads the index alone (SQLite: 60-80 ms ->
        # 27-30 ms for a 10 km count at 100,000 services).
        indexes = [
            models.Index(
                fields=["organization", "latitude", "longitude", "service"],
                name="sal_place_service",
            )
        ]

    def __str__(self) -> str:
        return str(f"{self.service_id} at {self.location_id}")


class Phone(HsdsRow):
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    contact = models.ForeignKey(
        "Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=50)
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    type = models.CharField(_("kind"), max_length=20, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="phone_hsds_unique")
        ]

    def __str__(self) -> str:
        return str(self.number)


class Contact(HsdsRow):
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="contact_hsds_unique")
        ]

    def __str__(self) -> str:
        return str(self.name or self.hsds_id)


class Weekday(models.TextChoices):
    MO = "MO", _("Monday")
    TU = "TU", _("Tuesday")
    WE = "WE", _("Wednesday")
    TH = "TH", _("Thursday")
    FR = "FR", _("Friday")
    SA = "SA", _("Saturday")
    SU = "SU", _("Sunday")


class Schedule(HsdsRow):
    """HSDS 3.0 schedule: RFC 5545 recurrence fields, opening times, and a description."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    timezone = models.CharField(max_length=60, blank=True)
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, blank=True)
    freq = models.CharField(max_length=10, blank=True)
    interval = models.PositiveIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=100, blank=True)
    byweekno = models.CharField(max_length=200, blank=True)
    bymonthday = models.CharField(max_length=200, blank=True)
    byyearday = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    schedule_link = models.CharField(max_length=500, blank=True)
    attending_type = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="schedule_hsds_unique")
        ]

    def __str__(self) -> str:
        return str(self.description or self.hsds_id)


class ServiceOpening(models.Model):
    """Derived from weekly schedules: the service is open on ``weekday`` between two times.

    ``weekday`` is 0 for Monday, as ``date.weekday()``. Rebuilt by ``service_refresh``.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="openings")
    weekday = models.PositiveSmallIntegerField()
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens_at"]
        indexes = [models.Index(fields=["organization", "weekday", "opens_at", "closes_at"])]

    def __str__(self) -> str:
        return str(f"{self.weekday} {self.opens_at}-{self.closes_at}")


class Language(HsdsRow):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    name = models.CharField(_("language"), max_length=100, blank=True)
    code = models.CharField(_("code"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="language_hsds_unique")
        ]
        indexes = [
            models.Index(fields=["organization", "code", "service"]),
            # Most languages are a service's, so the foreign key's own index holds one
            # huge key (NULL), and SQLite's statistics then make it scan the table for
            # the languages of a few locations (21 ms of a matching at 100,000 services).
            models.Index(
                fields=["location"],
                condition=models.Q(location__isnull=False),
                name="language_at_location",
            ),
        ]

    def __str__(self) -> str:
        return str(self.name or self.code)


class ServiceArea(HsdsRow):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="areas"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="areas"
    )
    name = models.CharField(_("area"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    extent = models.TextField(_("extent"), blank=True)
    extent_type = models.CharField(max_length=50, blank=True)
    uri = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="area_hsds_unique")
        ]

    def __str__(self) -> str:
        return str(self.name or self.hsds_id)


class CostOption(HsdsRow):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = models.TextField(_("option"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    amount_description = models.TextField(_("amount description"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="cost_hsds_unique")
        ]

    def __str__(self) -> str:
        return str(self.option or self.hsds_id)


class RequiredDocument(HsdsRow):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="required_documents"
    )
    document = models.TextField(_("document"))
    uri = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="document_hsds_unique")
        ]

    def __str__(self) -> str:
        return str(self.document)


class Accessibility(HsdsRow):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.TextField(_("description"), blank=True)
    details = models.TextField(_("details"), blank=True)
    url = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hsds_id"], name="access_hsds_unique")
        ]

    def __str__(self) -> str:
        return str(self.description or self.hsds_id)


class Attribute(HsdsRow):
    """HSDS attribute: a taxonomy term attached to any row (``link_entity`` + ``link_id``).

    ``service`` is filled when the attribute is on a service, so category search is
    an indexed lookup.
    """

    link_id = models.CharField(max_length=100)
    link_type = models.CharField(max_length=100, blank=True)
    link_entity = models.CharField(max_length=50)
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.CASCADE, related_name="attributes"
    )
    value = models.TextField(blank=True)
    label = models.CharField(max_length=200, blank=True)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="attributes"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hsds_id"], name="attribute_hsds_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "taxonomy_term", "service"])]

    def __str__(self) -> str:
        return str(self.label or self.hsds_id)


# --- the agency's own knowledge -------------------------------------------------------------


class ProviderNoteKind(models.TextChoices):
    EXPERIENCE = "experience", _("Our experience")
    QUALITY = "quality", _("Quality of service")
    VIOLATION = "violation", _("Violation or complaint on record")
    CONTACT = "contact", _("Contact person")


class ProviderNote(models.Model):
    """What a colleague knows about a provider that no directory says. Never about a client."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="notes")
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProviderNoteKind.choices)
    text = models.TextField(_("note"))
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("their phone"), max_length=50, blank=True)
    contact_email = models.CharField(_("their email"), max_length=254, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "provider", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"


class ImportFormat(models.TextChoices):
    HSDS3_JSON = "hsds3_json", _("HSDS 3.0 JSON")
    HSDS3_TABULAR = "hsds3_tabular", _("HSDS 3.0 tabular (CSV datapackage)")
    HSDS1_CSV = "hsds1_csv", _("HSDS 1.x CSV (legacy)")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Not imported: problems found")


class DirectoryImport(models.Model):
    """One import of a directory file: its progress, its summary, and every problem found.

    ``problems`` is a list of ``{"file", "row", "field", "message"}``; ``summary`` is
    ``{"tables": {table: {"created", "updated", "unchanged"}}, "notes": [...]}`` (notes:
    columns and files the import did not use). While the import runs, its progress is in
    a small file beside the upload (``resources.tasks``): the row itself is written in the
    import's transaction and would show nothing until the end.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=300)
    stored_path = models.CharField(max_length=500, blank=True, editable=False)
    format = models.CharField(_("format"), max_length=20, choices=ImportFormat.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict)
    problems = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.processed / self.total))


def age_on(date_of_birth: date | None, day: date) -> int | None:
    if date_of_birth is None:
        return None
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)
