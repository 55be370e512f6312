"""Reads of the directory, filtered by the access policy (``casework.access``)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from casework import access
from casework.core.errors import NotFound
from casework.core.models import User
from casework.plans.models import ActionStep, Goal, StepOwner

from .models import (
    Accessibility,
    Attribute,
    DirectoryImport,
    Language,
    Phone,
    Provider,
    ProviderNote,
    Schedule,
    Service,
    ServiceAtLocation,
)

IN_HOUSE_ALTERNATIVES = 10


def get_service(user: User, pk: int) -> Service:
    """The service with everything its page shows; 404 when the user may not read it."""
    service = (
        directory_services(user)
        .filter(pk=pk)
        .select_related("provider", "provider__partner_organization", "in_house_program")
        .prefetch_related(
            Prefetch(
                "attributes", queryset=Attribute.objects.select_related("taxonomy_term__taxonomy")
            ),
            Prefetch("languages", queryset=Language.objects.order_by("name", "pk")),
            "openings",
            "phones",
            "cost_options",
            "required_documents",
            "areas",
            Prefetch("schedules", queryset=Schedule.objects.order_by("pk")),
            Prefetch(
                "at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    "location__addresses",
                    Prefetch("location__phones", queryset=Phone.objects.order_by("pk")),
                    Prefetch("location__languages", queryset=Language.objects.order_by("pk")),
                    Prefetch(
                        "location__accessibility", queryset=Accessibility.objects.order_by("pk")
                    ),
                    Prefetch("location__schedules", queryset=Schedule.objects.order_by("pk")),
                ),
            ),
        )
        .first()
    )
    if service is None:
        raise NotFound("No such service.")
    return service


def get_provider(user: User, pk: int) -> Provider:
    provider = (
        directory_providers(user)
        .filter(pk=pk)
        .select_related("partner_organization")
        .prefetch_related("phones", "locations__addresses")
        .first()
    )
    if provider is None:
        raise NotFound("No such provider.")
    return provider


def provider_services(user: User, provider: Provider) -> QuerySet[Service]:
    return (
        directory_services(user)
        .filter(provider=provider)
        .select_related("provider", "in_house_program")
        .prefetch_related("attributes__taxonomy_term", "languages", "openings")
        .order_by("name", "pk")
    )


def notes(user: User, provider: Provider) -> QuerySet[ProviderNote]:
    return (
        provider_notes(user)
        .filter(provider=provider, is_archived=False)
        .select_related("author", "service")
        .order_by("-created_at", "-pk")
    )


def get_note(user: User, pk: int) -> ProviderNote:
    note = provider_notes(user).filter(pk=pk).select_related("provider").first()
    if note is None:
        raise NotFound("No such note.")
    return note


def in_house_alternatives(user: User, service: Service) -> list[Service]:
    """Our own services of the same categories (not the service itself)."""
    term_ids = [a.taxonomy_term_id for a in service.attributes.all()]
    if not term_ids:
        return []
    return list(
        directory_services(user)
        .filter(
            ours(access.organization_id(user)),
            pk__in=Attribute.objects.filter(
                organization_id=service.organization_id, taxonomy_term_id__in=term_ids
            ).values("service_id"),
        )
        .exclude(pk=service.pk)
        .select_related("in_house_program")
        .order_by("name", "pk")[:IN_HOUSE_ALTERNATIVES]
    )


def get_goal(user: User, case_id: int, goal_id: int | None) -> Goal | None:
    """A goal of the case's plans, when the user may view the case; None if none asked."""
    if goal_id is None:
        return None
    goal = (
        Goal.objects.filter(
            pk=goal_id, case_id=case_id, organization_id=access.organization_id(user)
        )
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=ActionStep.objects.filter(
                    owner_kind__in=(StepOwner.CLIENT, StepOwner.FAMILY)
                ).order_by("position", "pk"),
                to_attr="own_steps",
            )
        )
        .first()
    )
    if goal is None:
        raise NotFound("No such goal.")
    return goal


def directory_services(user: User) -> QuerySet[Service]:
    if not access.directory_read_allowed(user):
        return Service.objects.none()
    return Service.objects.filter(organization_id=access.organization_id(user))


def directory_providers(user: User) -> QuerySet[Provider]:
    if not access.directory_read_allowed(user):
        return Provider.objects.none()
    return Provider.objects.filter(organization_id=access.organization_id(user))


def provider_notes(user: User) -> QuerySet[ProviderNote]:
    if not access.directory_read_allowed(user):
        return ProviderNote.objects.none()
    return ProviderNote.objects.filter(organization_id=access.organization_id(user))


def directory_imports(user: User) -> QuerySet[DirectoryImport]:
    if not access.directory_manage_allowed(user):
        return DirectoryImport.objects.none()
    return DirectoryImport.objects.filter(organization_id=access.organization_id(user))


def ours(organization_id: int) -> Q:
    """Services of our own agency (in-house), named by its providers' ids.

    Those providers are a handful among thousands, listed by the partial index
    ``provider_own_agency``; joining each service to its provider instead made SQLite
    read every service to find ours (150 ms of a matching at 100,000 services)."""
    providers = Provider.objects.filter(organization_id=organization_id, is_own_agency=True)
    return Q(provider_id__in=list(providers.values_list("pk", flat=True)))
