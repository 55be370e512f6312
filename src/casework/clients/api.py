"""API of cases and client records.

There is deliberately no client list by GET: names must never travel in a URL.
Search and the duplicate check are POSTs with the query in the body.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from casework import access
from casework.access import Action
from casework.core.api_auth import request_user
from casework.core.errors import NotFound
from casework.core.models import User
from casework.core.pagination import PageNumberPagination
from casework.core.schemas import error_response, with_errors

from . import services
from .matching import HiddenMatch, Match, find_possible_duplicates, hidden_record_may_match
from .models import (
    Case,
    CaseAssignment,
    Client,
    ClientAddress,
    ClientEmail,
    ClientIdentifier,
    ClientMerge,
    ClientPhone,
    Relationship,
)
from .schemas import (
    AddressIn,
    AddressOut,
    CaseAssignIn,
    CaseDetailOut,
    CaseFilters,
    CaseOut,
    ClientCreateIn,
    ClientFoundOut,
    ClientRecordOut,
    ClientRecordPatch,
    ClientSearchIn,
    DuplicateCheckIn,
    EmailIn,
    EmailOut,
    IdentifierIn,
    IdentifierOut,
    MatchOut,
    MergeIn,
    MergeOut,
    PhoneIn,
    PhoneOut,
    RelationshipIn,
    RelationshipOut,
    RelationshipUpdateIn,
)
from .search import ClientQuery, search_clients

router = Router()

# --- cases --------------------------------------------------------------------------------


@router.get("/cases", response=with_errors({200: list[CaseOut]}), tags=["cases"])
@paginate(PageNumberPagination)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> QuerySet[Case]:
    """The cases you may see, newest first."""
    user = request_user(request)
    cases = access.cases(user).select_related("client", "program", "team", "case_manager")
    if filters.status is not None:
        cases = cases.filter(status=filters.status)
    if filters.team is not None:
        cases = cases.filter(team_id=filters.team)
    if filters.mine:
        cases = cases.filter(case_manager=user)
    return cases.order_by("-opened_on", "-pk")


def _with_assignments(case: Case) -> Case:
    history = CaseAssignment.objects.select_related("case_manager", "team", "assigned_by")
    prefetch_related_objects(
        [case], Prefetch("assignments", history.order_by("-started_at", "-pk"))
    )
    return case


@router.get("/cases/{case_id}", response=with_errors({200: CaseDetailOut}, 404), tags=["cases"])
def get_case(request: HttpRequest, case_id: int) -> Case:
    user = request_user(request)
    case = _with_assignments(access.get_case(user, case_id))
    services.case_viewed(actor=user, case=case, via="api")
    return case


@router.post(
    "/cases/{case_id}/assign",
    response=with_errors({200: CaseDetailOut}, 403, 404, 409),
    tags=["cases"],
)
def assign_case(request: HttpRequest, case_id: int, payload: CaseAssignIn) -> Case:
    """Hand the case to another case manager (and optionally another team of its program)."""
    user = request_user(request)
    case = access.get_case(user, case_id, Action.ASSIGN)
    case_manager = access.users(user).filter(pk=payload.case_manager).first()
    team = None
    errors: dict[str, str] = {}
    if case_manager is None:
        errors["case_manager"] = _("Choose a staff member of your agency.")
    if payload.team is not None:
        team = access.teams(user).filter(pk=payload.team).first()
        if team is None:
            errors["team"] = _("The team does not work in this case's program.")
    if errors or case_manager is None:
        raise ValidationError(errors)
    updated = services.case_assign(
        actor=user,
        case=case,
        case_manager=case_manager,
        expected_version=payload.version,
        reason=payload.reason,
        team=team,
    )
    # The actor may lose sight of the case (moved to a team they are not on), so the
    # answer is built from the updated row rather than re-read through the access policy.
    return _with_assignments(updated)


# --- client records -------------------------------------------------------------------------

CLIENT_FIELDS = ("first_name", "last_name", "preferred_name", "date_of_birth", "preferred_language")


def _client_record(user: User, client: Client) -> dict[str, Any]:
    visible_cases = (
        access.cases(user)
        .filter(client=client)
        .select_related("program")
        .order_by("-opened_on", "-pk")
    )
    record = {name: getattr(client, name) for name in ClientRecordOut.model_fields}
    record.update(
        cases=list(visible_cases),
        phones=list(client.phones.all()),
        emails=list(client.emails.all()),
        addresses=list(client.addresses.all()),
        identifiers=list(client.identifiers.all()),
        relationships=list(client.relationships.select_related("related_client")),
    )
    return record


def _matches_out(matches: list[Match]) -> list[dict[str, Any]]:
    return [
        {
            "client": m.client,
            "date_of_birth": m.client.date_of_birth,
            "score": m.score,
            "reasons": m.reasons,
        }
        for m in matches
    ]


@router.post(
    "/clients/possible-duplicates",
    response=with_errors({200: list[MatchOut]}),
    tags=["clients"],
)
def possible_duplicates(request: HttpRequest, payload: DuplicateCheckIn) -> list[dict[str, Any]]:
    """Clients who may be this person, with the reasons; run it before creating a client."""
    user = request_user(request)
    access.require(user.has_role(*services.CLIENT_CREATORS))
    matches = find_possible_duplicates(
        actor=user,
        first_name=payload.first_name,
        last_name=payload.last_name,
        date_of_birth=payload.date_of_birth,
        identifiers=[(i.kind, i.value) for i in payload.identifiers],
        phone=payload.phone,
    )
    return _matches_out(matches)


@router.post("/clients", response=with_errors({201: ClientRecordOut}, 403, 409), tags=["clients"])
def create_client(request: HttpRequest, payload: ClientCreateIn) -> Any:
    """Register a person. With possible duplicates and no ``confirmed_new_person``: 409.

    The 409 answer lists the matches (``error.matches``) so they can be shown first.
    """
    user = request_user(request)
    access.require(user.has_role(*services.CLIENT_CREATORS))
    data = payload.model_dump(exclude_unset=True)
    identifiers = [(i.kind, i.value) for i in payload.identifiers]
    if not payload.confirmed_new_person:
        person: dict[str, Any] = {
            "actor": user,
            "first_name": payload.first_name,
            "last_name": payload.last_name,
            "date_of_birth": payload.date_of_birth,
            "identifiers": identifiers,
            "phone": payload.phone,
        }
        matches = find_possible_duplicates(**person)
        hidden_match = hidden_record_may_match(**person)
        if matches or hidden_match:
            message = _("This person may already have a record. Check the matches first.")
            if hidden_match == HiddenMatch.RESTRICTED:
                message = _("A restricted record may match; ask an agency admin.")
            elif hidden_match == HiddenMatch.UNSEEN:
                message = _(
                    "A record you cannot see (another team's, or waiting for intake) may be "
                    "this person; ask intake or a supervisor before registering."
                )
            return error_response(
                409,
                "possible_duplicates",
                message,
                restricted_match=hidden_match == HiddenMatch.RESTRICTED,
                hidden_match=hidden_match.value if hidden_match else None,
                matches=[
                    {
                        "client": {"id": m.client.pk, "display_name": m.client.display_name},
                        "date_of_birth": (
                            m.client.date_of_birth.isoformat() if m.client.date_of_birth else None
                        ),
                        "score": m.score,
                        "reasons": m.reasons,
                    }
                    for m in matches
                ],
            )
    details = {k: v for k, v in data.items() if k in services.RECORD_FIELDS and v is not None}
    ssn = next((v for k, v in identifiers if k == "ssn"), None)
    if ssn is not None:
        details["ssn"] = ssn
    with transaction.atomic():
        client = services.client_create(
            actor=user,
            first_name=payload.first_name,
            last_name=payload.last_name,
            preferred_name=payload.preferred_name,
            date_of_birth=payload.date_of_birth,
            preferred_language=payload.preferred_language,
            **details,
        )
        if payload.phone:
            services.client_phone_add(actor=user, client=client, number=payload.phone)
        for kind, value in identifiers:
            if kind != "ssn":
                system = next((i.system for i in payload.identifiers if i.value == value), "")
                services.client_identifier_add(
                    actor=user, client=client, kind=kind, value=value, system=system
                )
    return Status(201, _client_record(user, client))


@router.post("/clients/search", response=with_errors({200: list[ClientFoundOut]}), tags=["clients"])
@paginate(PageNumberPagination)
def search(request: HttpRequest, payload: ClientSearchIn) -> QuerySet[Client]:
    """Clients you may see that fit every part of the query (name fragments in any order)."""
    return search_clients(
        actor=request_user(request),
        query=ClientQuery(
            name=payload.name,
            date_of_birth=payload.date_of_birth,
            identifier=payload.identifier,
            phone=payload.phone,
        ),
    )


@router.get(
    "/clients/{client_id}", response=with_errors({200: ClientRecordOut}, 404), tags=["clients"]
)
def get_client(request: HttpRequest, client_id: int) -> dict[str, Any]:
    """One client's record. Every read is written to the audit log."""
    user = request_user(request)
    client = access.get_client(user, client_id)
    services.client_record_viewed(actor=user, client=client, via="api")
    return _client_record(user, client)


@router.patch(
    "/clients/{client_id}",
    response=with_errors({200: ClientRecordOut}, 403, 404, 409),
    tags=["clients"],
)
def update_client(
    request: HttpRequest, client_id: int, payload: ClientRecordPatch
) -> dict[str, Any]:
    """Change the fields you send. ``version`` must be the one you loaded, else 409."""
    user = request_user(request)
    client = access.get_client(user, client_id, Action.CHANGE)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    # The service takes the five names whole. Filling the gaps from the copy just read
    # is safe: if anyone saved since, the version check refuses the update.
    fields = {name: getattr(client, name) for name in CLIENT_FIELDS}
    fields.update({k: v for k, v in changes.items() if k in CLIENT_FIELDS})
    details = {k: v for k, v in changes.items() if k in services.RECORD_FIELDS}
    updated = services.client_update(
        actor=user, client=client, expected_version=version, **fields, **details
    )
    return _client_record(user, updated)


# --- contact history, identifiers, relationships --------------------------------------------


@router.post(
    "/clients/{client_id}/phones",
    response=with_errors({201: PhoneOut}, 403, 404),
    tags=["clients"],
)
def add_phone(request: HttpRequest, client_id: int, payload: PhoneIn) -> Any:
    user = request_user(request)
    client = access.get_client(user, client_id, Action.CHANGE)
    return Status(201, services.client_phone_add(actor=user, client=client, **payload.model_dump()))


@router.post(
    "/clients/{client_id}/emails",
    response=with_errors({201: EmailOut}, 403, 404),
    tags=["clients"],
)
def add_email(request: HttpRequest, client_id: int, payload: EmailIn) -> Any:
    user = request_user(request)
    client = access.get_client(user, client_id, Action.CHANGE)
    return Status(201, services.client_email_add(actor=user, client=client, **payload.model_dump()))


@router.post(
    "/clients/{client_id}/addresses",
    response=with_errors({201: AddressOut}, 403, 404),
    tags=["clients"],
)
def add_address(request: HttpRequest, client_id: int, payload: AddressIn) -> Any:
    user = request_user(request)
    client = access.get_client(user, client_id, Action.CHANGE)
    return Status(
        201, services.client_address_add(actor=user, client=client, **payload.model_dump())
    )


_HISTORY = {"phones": ClientPhone, "emails": ClientEmail, "addresses": ClientAddress}


@router.post(
    "/clients/{client_id}/{kind}/{item_id}/end",
    response=with_errors({204: None}, 403, 404),
    tags=["clients"],
)
def end_contact(request: HttpRequest, client_id: int, kind: str, item_id: int) -> Any:
    """The phone, email or address (``kind``: phones, emails, addresses) is no longer current."""
    user = request_user(request)
    client = access.get_client(user, client_id, Action.CHANGE)
    model: Any = _HISTORY.get(kind)
    row = model.objects.filter(client=client, pk=item_id).first() if model else None
    if row is None:
        raise NotFound(_("Not found."))
    services.client_contact_end(actor=user, row=row)
    return Status(204, None)


@router.post(
    "/clients/{client_id}/identifiers",
    response=with_errors({201: IdentifierOut}, 403, 404),
    tags=["clients"],
)
def add_identifier(request: HttpRequest, client_id: int, payload: IdentifierIn) -> Any:
    user = request_user(request)
    client = access.get_client(user, client_id, Action.CHANGE)
    return Status(
        201,
        services.client_identifier_add(
            actor=user, client=client, kind=payload.kind, value=payload.value, system=payload.system
        ),
    )


@router.delete(
    "/clients/{client_id}/identifiers/{item_id}",
    response=with_errors({204: None}, 403, 404),
    tags=["clients"],
)
def remove_identifier(request: HttpRequest, client_id: int, item_id: int) -> Any:
    user = request_user(request)
    client = access.get_client(user, client_id, Action.CHANGE)
    identifier = ClientIdentifier.objects.filter(client=client, pk=item_id).first()
    if identifier is None:
        raise NotFound(_("Not found."))
    services.client_identifier_remove(actor=user, identifier=identifier)
    return Status(204, None)


@router.post(
    "/clients/{client_id}/relationships",
    response=with_errors({201: RelationshipOut}, 403, 404),
    tags=["clients"],
)
def add_relationship(request: HttpRequest, client_id: int, payload: RelationshipIn) -> Any:
    user = request_user(request)
    client = access.get_client(user, client_id, Action.CHANGE)
    data = payload.model_dump()
    related_id = data.pop("related_client")
    related = None
    if related_id is not None:
        related = access.clients(user).filter(pk=related_id).first()
        if related is None:
            raise ValidationError({"related_client": _("No client of yours has this id.")})
    return Status(
        201, services.relationship_add(actor=user, client=client, related_client=related, **data)
    )


@router.put(
    "/clients/{client_id}/relationships/{item_id}",
    response=with_errors({200: RelationshipOut}, 403, 404),
    tags=["clients"],
)
def update_relationship(
    request: HttpRequest, client_id: int, item_id: int, payload: RelationshipUpdateIn
) -> Relationship:
    """Correct a relationship's details. To name someone else, delete it and add another."""
    user = request_user(request)
    row = _relationship(user, client_id, item_id)
    return services.relationship_update(actor=user, relationship=row, **payload.model_dump())


@router.delete(
    "/clients/{client_id}/relationships/{item_id}",
    response=with_errors({204: None}, 403, 404),
    tags=["clients"],
)
def remove_relationship(request: HttpRequest, client_id: int, item_id: int) -> Any:
    user = request_user(request)
    services.relationship_remove(actor=user, relationship=_relationship(user, client_id, item_id))
    return Status(204, None)


def _relationship(user: User, client_id: int, item_id: int) -> Relationship:
    """A relationship of a client the user may change (404 otherwise)."""
    client = access.get_client(user, client_id, Action.CHANGE)
    row = Relationship.objects.filter(client=client, pk=item_id).first()
    if row is None:
        raise NotFound(_("Not found."))
    return row


# --- merge ----------------------------------------------------------------------------------


@router.post(
    "/clients/{client_id}/merge",
    response=with_errors({200: MergeOut}, 403, 404),
    tags=["clients"],
)
def merge_client(request: HttpRequest, client_id: int, payload: MergeIn) -> ClientMerge:
    """Merge the duplicate ``merged`` into this client (agency admins and supervisors)."""
    user = request_user(request)
    access.require(access.can_merge_clients(user))
    mergeable = access.mergeable_clients(user)
    survivor = mergeable.filter(pk=client_id).first()
    merged = mergeable.filter(pk=payload.merged).first()
    if survivor is None:
        raise NotFound(_("No such client."))
    if merged is None:
        raise ValidationError({"merged": _("No record you may merge has this id.")})
    return services.client_merge(actor=user, survivor=survivor, merged=merged)


@router.post(
    "/client-merges/{merge_id}/unmerge",
    response=with_errors({200: MergeOut}, 403, 404),
    tags=["clients"],
)
def unmerge(request: HttpRequest, merge_id: int) -> ClientMerge:
    """Undo a merge (agency admins): exactly what moved goes back."""
    user = request_user(request)
    access.require(access.can_unmerge_clients(user))
    merge = ClientMerge.objects.filter(
        pk=merge_id, organization_id=access.organization_id(user)
    ).first()
    if merge is None:
        raise NotFound(_("No such merge."))
    services.client_unmerge(actor=user, merge=merge)
    merge.refresh_from_db()
    return merge
