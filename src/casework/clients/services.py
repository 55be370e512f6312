"""Every change to clients and cases goes through these functions."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.access import Action
from casework.core import audit
from casework.core.errors import NotFound
from casework.core.models import Organization, Program, Role, Team, TeamMembership, User
from casework.core.services import check_version

from .models import (
    NO_ANSWER_CODES,
    Case,
    CaseAssignment,
    CaseStatus,
    Client,
    ClientAddress,
    ClientEmail,
    ClientIdentifier,
    ClientMerge,
    ClientPhone,
    DataQuality,
    Gender,
    IdentifierKind,
    PhoneKind,
    RaceEthnicity,
    Relationship,
    RelationshipType,
)

CLIENT_CREATORS = (Role.INTAKE_COORDINATOR, Role.CASE_MANAGER, Role.SUPERVISOR)

# Every field of the record a person may edit, besides the five every caller gives.
RECORD_FIELDS = (
    "middle_name",
    "suffix",
    "name_data_quality",
    "dob_data_quality",
    "sex",
    "gender",
    "gender_detail",
    "pronouns",
    "race_ethnicity",
    "race_ethnicity_detail",
    "veteran_status",
    "interpreter_needed",
    "strengths",
    "values_preferences",
    "no_voicemail",
    "no_contact_at_home",
    "no_mail",
    "safe_contact_times",
    "safe_contact_note",
    "ssn",
    "ssn_data_quality",
)
_TEXT_FIELDS = frozenset(
    {
        "first_name",
        "middle_name",
        "last_name",
        "suffix",
        "preferred_name",
        "gender_detail",
        "pronouns",
        "race_ethnicity_detail",
        "strengths",
        "values_preferences",
        "safe_contact_times",
        "safe_contact_note",
    }
)
_SSN_DIGITS = re.compile(r"\d")


def store_full_ssn(organization_id: int) -> bool:
    """Whether the agency keeps whole SSNs (until it says so, only the last four)."""
    return Organization.objects.filter(pk=organization_id, store_full_ssn=True).exists()


def _clean_codes(values: Any, allowed: list[int], field: str, errors: dict[str, str]) -> list[int]:
    try:
        codes = sorted({int(v) for v in values or []})
    except (TypeError, ValueError):
        errors[field] = _("Choose from the list.")
        return []
    if any(c not in allowed for c in codes):
        errors[field] = _("Choose from the list.")
    elif len(codes) > 1 and NO_ANSWER_CODES.intersection(codes):
        errors[field] = _(
            "“Doesn't know”, “prefers not to answer” and “not collected” stand alone."
        )
    return codes


def _clean_ssn(raw: str, *, keep_full: bool, errors: dict[str, str]) -> tuple[str, str]:
    """(last four, full or "") from what was typed; errors name the ``ssn`` field."""
    digits = "".join(_SSN_DIGITS.findall(raw))
    if not raw.strip():
        return "", ""
    if len(digits) == 4 and digits != "0000":
        return digits, ""
    if len(digits) == 9:
        area, group, serial = digits[:3], digits[3:5], digits[5:]
        if area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000":
            errors["ssn"] = _("This is not a valid Social Security number.")
            return "", ""
        return digits[5:], digits if keep_full else ""
    errors["ssn"] = _("Enter the last four digits or all nine digits of the SSN.")
    return "", ""


def _clean_record(organization_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Normalise the given fields of a client record; every problem names its field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name in _TEXT_FIELDS:
            cleaned[name] = (value or "").strip()
        elif name == "preferred_language":
            cleaned[name] = (value or "").strip().lower() or "en"
        elif name == "gender":
            cleaned[name] = _clean_codes(value, Gender.values, name, errors)
        elif name == "race_ethnicity":
            cleaned[name] = _clean_codes(value, RaceEthnicity.values, name, errors)
        elif name == "ssn":
            last_four, full = _clean_ssn(
                value or "", keep_full=store_full_ssn(organization_id), errors=errors
            )
            cleaned["ssn_last_four"], cleaned["ssn"] = last_four, full
        else:
            cleaned[name] = value
    dob = cleaned.get("date_of_birth")
    if dob is not None and dob > timezone.localdate():
        errors["date_of_birth"] = _("The date of birth is in the future.")
    elif dob is not None and dob < date(1900, 1, 1):
        errors["date_of_birth"] = _("The date of birth is before 1900.")
    if cleaned.get("dob_data_quality") in (DataQuality.FULL, DataQuality.PARTIAL) and (
        "date_of_birth" in cleaned and dob is None
    ):
        errors["dob_data_quality"] = _("Enter the date of birth, or say why it is missing.")
    for name in ("first_name", "last_name"):
        if name in cleaned and not cleaned[name]:
            errors[name] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _full_clean(client: Client) -> None:
    try:
        client.full_clean(exclude=["organization"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def client_create(
    *,
    actor: User,
    first_name: str,
    last_name: str,
    preferred_name: str = "",
    date_of_birth: date | None = None,
    preferred_language: str = "en",
    **details: Any,
) -> Client:
    """Register a person. ``details`` takes any of ``RECORD_FIELDS``.

    Callers show ``matching.find_possible_duplicates`` first; this does not refuse a
    possible duplicate, since only a person can tell two people apart.
    """
    access.require(actor.has_role(*CLIENT_CREATORS) and actor.organization_id is not None)
    unknown = set(details) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"client_create() got unexpected fields: {sorted(unknown)}")
    org_id = access.organization_id(actor)
    values = _clean_record(
        org_id,
        {
            "first_name": first_name,
            "last_name": last_name,
            "preferred_name": preferred_name,
            "date_of_birth": date_of_birth,
            "preferred_language": preferred_language,
            **details,
        },
    )
    if date_of_birth is not None and "dob_data_quality" not in details:
        values["dob_data_quality"] = DataQuality.FULL
    if values.get("ssn_last_four") and "ssn_data_quality" not in details:
        values["ssn_data_quality"] = DataQuality.FULL if values["ssn"] else DataQuality.PARTIAL
    client = Client(organization_id=org_id, **values)
    _full_clean(client)
    with transaction.atomic():
        client.save()
        audit.record(action="client.create", actor=actor, target=client, client_id=client.pk)
    return client


def client_update(
    *,
    actor: User,
    client: Client,
    expected_version: int | None,
    first_name: str,
    last_name: str,
    preferred_name: str,
    date_of_birth: date | None,
    preferred_language: str,
    **details: Any,
) -> Client:
    """Change the client's details: the five names given always, ``details`` what is sent.

    Fields left out of ``details`` keep their value (callers that show only part of
    the record cannot wipe the rest). ``ssn=""`` clears the SSN.
    """
    access.require(access.client_allows(actor, client, Action.CHANGE))
    unknown = set(details) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"client_update() got unexpected fields: {sorted(unknown)}")
    values = _clean_record(
        client.organization_id,
        {
            "first_name": first_name,
            "last_name": last_name,
            "preferred_name": preferred_name,
            "date_of_birth": date_of_birth,
            "preferred_language": preferred_language,
            **details,
        },
    )
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        if locked.is_merged:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("This record was merged into another; edit that one.")}
            )
        check_version(locked, expected_version, _("client record"))
        # Field names only: the audit log must not become a second copy of personal data.
        changed = [name for name, value in values.items() if getattr(locked, name) != value]
        for name, value in values.items():
            setattr(locked, name, value)
        _full_clean(locked)
        if changed:
            locked.updated_at = timezone.now()
            locked.version = F("version") + 1
            locked.save()
            locked.refresh_from_db(fields=["version"])
            audit.record(
                action="client.update",
                actor=actor,
                target=locked,
                client_id=locked.pk,
                changes={"fields": sorted({"ssn" if n == "ssn_last_four" else n for n in changed})},
            )
    return locked


# --- contact history ---------------------------------------------------------------------------

ContactRow = ClientPhone | ClientEmail | ClientAddress


def phone_digits(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


Row = TypeVar("Row", ClientPhone, ClientEmail, ClientAddress)


def _contact_add(*, actor: User, client: Client, row: Row, same_kind: dict[str, Any]) -> Row:
    access.require(access.client_allows(actor, client, Action.CHANGE))
    row.organization_id = client.organization_id
    row.client = client
    row.is_current = row.ended_on is None
    try:
        row.full_clean(exclude=["organization", "client"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    if row.ended_on is not None and row.ended_on < row.started_on:
        raise ValidationError({"ended_on": _("The end is before the start.")})
    if row.started_on > timezone.localdate():
        raise ValidationError({"started_on": _("The start date is in the future.")})
    model = type(row)
    with transaction.atomic():
        if row.is_current:
            # The newest one is the current one; the one it replaces keeps its history.
            model.objects.filter(client=client, is_current=True, **same_kind).update(
                is_current=False, ended_on=row.started_on
            )
        row.save()
        audit.record(
            action=f"client.{model.__name__.removeprefix('Client').lower()}_add",
            actor=actor,
            target=row,
            client_id=client.pk,
            changes={"fields": sorted(f for f in _contact_fields(row) if getattr(row, f))},
        )
    return row


def _contact_fields(row: ContactRow) -> list[str]:
    if isinstance(row, ClientPhone):
        return ["number", "kind"]
    if isinstance(row, ClientEmail):
        return ["email"]
    return ["line1", "line2", "city", "state", "postal_code", "county"]


def client_phone_add(
    *,
    actor: User,
    client: Client,
    number: str,
    kind: str = PhoneKind.MOBILE,
    started_on: date | None = None,
) -> ClientPhone:
    number = number.strip()
    digits = phone_digits(number)
    if not 7 <= len(digits) <= 15:
        raise ValidationError({"number": _("Enter a phone number of 7 to 15 digits.")})
    row = ClientPhone(
        number=number, digits=digits, kind=kind, started_on=started_on or timezone.localdate()
    )
    return _contact_add(actor=actor, client=client, row=row, same_kind={"kind": kind})


def client_email_add(
    *, actor: User, client: Client, email: str, started_on: date | None = None
) -> ClientEmail:
    row = ClientEmail(email=email.strip(), started_on=started_on or timezone.localdate())
    return _contact_add(actor=actor, client=client, row=row, same_kind={})


def client_address_add(
    *,
    actor: User,
    client: Client,
    line1: str,
    city: str,
    line2: str = "",
    state: str = "",
    postal_code: str = "",
    county: str = "",
    started_on: date | None = None,
) -> ClientAddress:
    postal_code = postal_code.strip()
    if postal_code and not re.fullmatch(r"\d{5}(-\d{4})?", postal_code):
        raise ValidationError({"postal_code": _("Enter a ZIP code: 12345 or 12345-6789.")})
    row = ClientAddress(
        line1=line1.strip(),
        line2=line2.strip(),
        city=city.strip(),
        state=state.strip(),
        postal_code=postal_code,
        county=county.strip(),
        started_on=started_on or timezone.localdate(),
    )
    return _contact_add(actor=actor, client=client, row=row, same_kind={})


def client_contact_end(*, actor: User, row: ContactRow, ended_on: date | None = None) -> None:
    """The phone, email or address is no longer the client's; it stays in the history."""
    client = row.client
    access.require(access.client_allows(actor, client, Action.CHANGE))
    ended_on = ended_on or timezone.localdate()
    if ended_on < row.started_on:
        raise ValidationError({"ended_on": _("The end is before the start.")})
    with transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(is_current=False, ended_on=ended_on)
        audit.record(
            action=f"client.{type(row).__name__.removeprefix('Client').lower()}_end",
            actor=actor,
            target=row,
            client_id=client.pk,
        )


# --- identifiers ----------------------------------------------------------------------------------


def normalize_identifier(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def client_identifier_add(
    *, actor: User, client: Client, kind: str, value: str, system: str = ""
) -> ClientIdentifier:
    access.require(access.client_allows(actor, client, Action.CHANGE))
    errors: dict[str, str] = {}
    system = system.strip()
    normalized = normalize_identifier(value)
    if kind not in IdentifierKind.values:
        errors["kind"] = _("Choose from the list.")
    if not normalized:
        errors["value"] = _("Enter the identifier.")
    elif kind == IdentifierKind.MEDICARE and not re.fullmatch(r"[0-9][A-Z0-9]{10}", normalized):
        errors["value"] = _("A Medicare number (MBI) has 11 letters and digits, starting 1–9.")
    if kind == IdentifierKind.EXTERNAL and not system:
        errors["system"] = _("Name the system this id comes from.")
    if kind != IdentifierKind.EXTERNAL:
        system = ""
    if errors:
        raise ValidationError(errors)
    if ClientIdentifier.objects.filter(
        client=client, kind=kind, system=system, normalized=normalized
    ).exists():
        raise ValidationError({"value": _("The client already has this identifier.")})
    row = ClientIdentifier(
        organization_id=client.organization_id,
        client=client,
        kind=kind,
        system=system,
        value=value.strip(),
        normalized=normalized,
    )
    with transaction.atomic():
        row.save()
        audit.record(
            action="client.identifier_add",
            actor=actor,
            target=row,
            client_id=client.pk,
            changes={"kind": kind},
        )
    return row


def client_identifier_remove(*, actor: User, identifier: ClientIdentifier) -> None:
    client = identifier.client
    access.require(access.client_allows(actor, client, Action.CHANGE))
    with transaction.atomic():
        audit.record(
            action="client.identifier_remove",
            actor=actor,
            target=identifier,
            client_id=client.pk,
            changes={"kind": identifier.kind},
        )
        identifier.delete()


# --- household and relationships ------------------------------------------------------------------


def relationship_add(
    *,
    actor: User,
    client: Client,
    relationship_type: str,
    related_client: Client | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_organization: str = "",
    contact_role: str = "",
    household_member: bool = False,
    head_of_household: bool = False,
    emergency_contact: bool = False,
) -> Relationship:
    """Someone in the client's life: another client (of this agency) or a contact."""
    access.require(access.client_allows(actor, client, Action.CHANGE))
    errors: dict[str, str] = {}
    if related_client is not None:
        if related_client.organization_id != client.organization_id or related_client.is_merged:
            errors["related_client"] = _("Choose a client of your agency.")
        elif related_client.pk == client.pk:
            errors["related_client"] = _("A person cannot be related to themself.")
        contact_name = ""
    errors |= _relationship_errors(
        client.relationships.all(),
        is_client=related_client is not None,
        relationship_type=relationship_type,
        contact_name=contact_name,
        contact_phone=contact_phone,
        household_member=household_member,
        head_of_household=head_of_household,
    )
    if errors:
        raise ValidationError(errors)
    row = Relationship(
        organization_id=client.organization_id,
        client=client,
        related_client=related_client,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        contact_organization=contact_organization.strip(),
        contact_role=contact_role.strip(),
        relationship_type=relationship_type,
        household_member=household_member,
        head_of_household=head_of_household,
        emergency_contact=emergency_contact,
    )
    try:
        row.full_clean(exclude=["organization", "client", "related_client"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    with transaction.atomic():
        row.save()
        audit.record(
            action="client.relationship_add",
            actor=actor,
            target=row,
            client_id=client.pk,
            changes={
                "relationship_type": relationship_type,
                "related_client_id": related_client.pk if related_client else None,
            },
        )
    return row


def _relationship_errors(
    others: QuerySet[Relationship],
    *,
    is_client: bool,
    relationship_type: str,
    contact_name: str,
    contact_phone: str,
    household_member: bool,
    head_of_household: bool,
) -> dict[str, str]:
    """What is wrong with a relationship's details; ``others`` are the client's other
    relationships (the household has one head)."""
    errors: dict[str, str] = {}
    if relationship_type not in RelationshipType.values:
        errors["relationship_type"] = _("Choose from the list.")
    if not is_client and not contact_name.strip():
        errors["contact_name"] = _("Name the person, or choose a client of your agency.")
    if head_of_household and not household_member:
        errors["head_of_household"] = _("The head of household lives in the household.")
    elif head_of_household and others.filter(head_of_household=True).exists():
        errors["head_of_household"] = _("The household already has a head.")
    if contact_phone.strip() and not 7 <= len(phone_digits(contact_phone)) <= 15:
        errors["contact_phone"] = _("Enter a phone number of 7 to 15 digits.")
    return errors


def relationship_update(
    *,
    actor: User,
    relationship: Relationship,
    relationship_type: str,
    contact_name: str = "",
    contact_phone: str = "",
    contact_organization: str = "",
    contact_role: str = "",
    household_member: bool = False,
    head_of_household: bool = False,
    emergency_contact: bool = False,
) -> Relationship:
    """Correct or bring up to date what the record says of someone in the client's life:
    the relationship, a contact's name, phone, organization and role, the household."""
    client = relationship.client
    access.require(access.client_allows(actor, client, Action.CHANGE))
    is_client = relationship.related_client_id is not None
    errors = _relationship_errors(
        client.relationships.exclude(pk=relationship.pk),
        is_client=is_client,
        relationship_type=relationship_type,
        contact_name=contact_name,
        contact_phone=contact_phone,
        household_member=household_member,
        head_of_household=head_of_household,
    )
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {
        "relationship_type": relationship_type,
        "contact_name": "" if is_client else contact_name.strip(),
        "contact_phone": contact_phone.strip(),
        "contact_organization": contact_organization.strip(),
        "contact_role": contact_role.strip(),
        "household_member": household_member,
        "head_of_household": head_of_household,
        "emergency_contact": emergency_contact,
    }
    changed = sorted(k for k, v in values.items() if getattr(relationship, k) != v)
    for name, value in values.items():
        setattr(relationship, name, value)
    try:
        relationship.full_clean(exclude=["organization", "client", "related_client"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    if not changed:
        return relationship
    with transaction.atomic():
        relationship.save(update_fields=changed)
        audit.record(
            action="client.relationship_update",
            actor=actor,
            target=relationship,
            client_id=client.pk,
            changes={"fields": changed},  # names only: the values are personal data
        )
    return relationship


def relationship_remove(*, actor: User, relationship: Relationship) -> None:
    client = relationship.client
    access.require(access.client_allows(actor, client, Action.CHANGE))
    with transaction.atomic():
        audit.record(
            action="client.relationship_remove",
            actor=actor,
            target=relationship,
            client_id=client.pk,
            changes={"relationship_type": relationship.relationship_type},
        )
        relationship.delete()


def case_open(
    *,
    actor: User,
    client: Client,
    program: Program,
    team: Team,
    case_manager: User | None = None,
    status: str = CaseStatus.SCREENING,
    opened_on: date | None = None,
) -> Case:
    """Open a case for ``client`` in ``program``, managed by ``team``."""
    may_open = actor.has_role(Role.INTAKE_COORDINATOR) or team.pk in access.supervised_team_ids(
        actor
    )
    access.require(may_open, _("Only intake coordinators and the team's supervisors open cases."))
    org_id = actor.organization_id
    errors: dict[str, str] = {}
    if client.organization_id != org_id:
        errors["client"] = _("Choose a client of your agency.")
    if program.organization_id != org_id or not program.is_active:
        errors["program"] = _("Choose an active program of your agency.")
    if team.program_id != program.pk:
        errors["team"] = _("The team does not work in this program.")
    if status == CaseStatus.CLOSED or status not in CaseStatus.values:
        errors["status"] = _("A new case starts in screening, on the waitlist, or active.")
    if (
        case_manager is not None
        and not TeamMembership.objects.filter(team=team, user=case_manager).exists()
    ):
        errors["case_manager"] = _("The case manager must be a member of the team.")
    if status == CaseStatus.ACTIVE and case_manager is None:
        errors["case_manager"] = _("An active case needs a case manager.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked_program = Program.objects.select_for_update().get(pk=program.pk)
        locked_program.case_counter += 1
        locked_program.save(update_fields=["case_counter"])
        case = Case(
            organization_id=client.organization_id,
            client=client,
            program=program,
            team=team,
            case_manager=case_manager,
            reference=f"{program.code.upper()}-{locked_program.case_counter:05d}",
            status=status,
            opened_on=opened_on or timezone.localdate(),
        )
        case.full_clean()
        case.save()
        if case_manager is not None:
            CaseAssignment.objects.create(
                organization_id=case.organization_id,
                case=case,
                case_manager=case_manager,
                team=team,
                started_at=_start_of(case.opened_on),
                assigned_by=actor,
                reason=_("Case opened"),
            )
        audit.record(
            action="case.open",
            actor=actor,
            target=case,
            client_id=client.pk,
            changes={"program_id": program.pk, "team_id": team.pk, "status": status},
        )
    return case


def case_assign(
    *,
    actor: User,
    case: Case,
    case_manager: User,
    expected_version: int | None,
    reason: str = "",
    team: Team | None = None,
) -> Case:
    """Hand the case to another case manager (and optionally team), keeping the history."""
    access.require(access.case_allows(actor, case, Action.ASSIGN))
    team = team or case.team
    errors: dict[str, str] = {}
    if team.program_id != case.program_id or team.organization_id != case.organization_id:
        errors["team"] = _("The team does not work in this case's program.")
    elif not TeamMembership.objects.filter(team=team, user=case_manager).exists():
        errors["case_manager"] = _("The case manager must be a member of the team.")
    if not case.is_open:
        errors[NON_FIELD_ERRORS] = _("A closed case cannot be reassigned.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        check_version(locked, expected_version, _("case"))
        now = timezone.now()
        previous = locked.case_manager_id
        CaseAssignment.objects.filter(case=locked, ended_at__isnull=True).update(ended_at=now)
        CaseAssignment.objects.create(
            organization_id=locked.organization_id,
            case=locked,
            case_manager=case_manager,
            team=team,
            started_at=now,
            assigned_by=actor,
            reason=reason.strip(),
        )
        locked.case_manager = case_manager
        locked.team = team
        locked.updated_at = now
        locked.version += 1
        locked.save(update_fields=["case_manager", "team", "updated_at", "version"])
        audit.record(
            action="case.assign",
            actor=actor,
            target=locked,
            client_id=locked.client_id,
            changes={"case_manager_id": [previous, case_manager.pk], "team_id": team.pk},
        )
    return locked


def case_set_status(*, actor: User, case: Case, status: str) -> Case:
    """Move an open case between screening, waitlisted, active and on hold.

    Closing has its own service (``case_close``), which asks for a reason.
    """
    if status not in CaseStatus.values or status == CaseStatus.CLOSED:
        raise ValidationError({"status": _("Choose screening, waitlisted, active or on hold.")})
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        access.require(
            access.case_allows(actor, locked, Action.ASSIGN),
            _(
                "Only the team's supervisor (or intake, before a case is active) "
                "changes its status."
            ),
        )
        if locked.status == CaseStatus.CLOSED:
            raise ValidationError({NON_FIELD_ERRORS: _("The case is closed.")})
        if status == CaseStatus.ACTIVE and locked.case_manager_id is None:
            raise ValidationError({"case_manager": _("An active case needs a case manager.")})
        previous = locked.status
        if previous == status:
            return locked
        locked.status = status
        locked.updated_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["status", "updated_at", "version"])
        audit.record(
            action="case.status",
            actor=actor,
            target=locked,
            client_id=locked.client_id,
            changes={"status": [previous, status]},
        )
    return locked


def case_close(
    *,
    actor: User,
    case: Case,
    reason: str,
    closed_on: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """Close the case: the supervisor of its team, or intake for one never taken on.

    Discharge planning (summary, letters, hand-offs) builds on this in a later issue.
    """
    access.require(
        access.case_allows(actor, case, Action.ASSIGN),
        _("Only the team's supervisor (or intake, before a case is active) closes a case."),
    )
    closed_on = closed_on or timezone.localdate()
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("Say why the case is closing.")
    if closed_on > timezone.localdate():
        errors["closed_on"] = _("The closing date is in the future.")
    elif closed_on < case.opened_on:
        errors["closed_on"] = _("The closing date is before the case was opened.")
    if not case.is_open:
        errors[NON_FIELD_ERRORS] = _("The case is already closed.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        check_version(locked, expected_version, _("case"))
        now = timezone.now()
        previous = locked.status
        CaseAssignment.objects.filter(case=locked, ended_at__isnull=True).update(ended_at=now)
        locked.status = CaseStatus.CLOSED
        locked.closed_on = closed_on
        locked.updated_at = now
        locked.version += 1
        locked.save(update_fields=["status", "closed_on", "updated_at", "version"])
        audit.record(
            action="case.close",
            actor=actor,
            target=locked,
            client_id=locked.client_id,
            changes={
                "status": [previous, CaseStatus.CLOSED.value],
                "closed_on": closed_on.isoformat(),
                "reason": reason.strip(),
            },
        )
    return locked


def _start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in the agency's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _read(via: str, part: str) -> dict[str, str]:
    return {"via": via, "part": part} if part else {"via": via}


def case_viewed(*, actor: User, case: Case, via: str, part: str = "") -> None:
    """Log that someone opened a case, or read a list of its records (``part``: "notes",
    "plans", "referrals", "assessments"). Access is checked by the caller's query. The
    privacy officer's "who has seen this record" report lists case reads with the client's."""
    audit.record(
        action="case.view",
        actor=actor,
        target=case,
        client_id=case.client_id,
        changes=_read(via, part),
    )


def client_record_viewed(*, actor: User, client: Client, via: str, part: str = "") -> None:
    """Log that someone read a client's record, or a list of its records (``part``:
    "consents"). Access is checked by the caller's query."""
    audit.record(
        action="client.view",
        actor=actor,
        target=client,
        client_id=client.pk,
        changes=_read(via, part),
    )


# --- merging two records of one person --------------------------------------------------------

# Fields a merge may fill on the survivor when the survivor's is blank.
MERGE_FIELDS = (
    "middle_name",
    "suffix",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender",
    "gender_detail",
    "pronouns",
    "race_ethnicity",
    "race_ethnicity_detail",
    "strengths",
    "values_preferences",
    "safe_contact_times",
    "safe_contact_note",
    "ssn_last_four",
    "ssn",
)
_BLANK: tuple[Any, ...] = ("", None, [])


def _movable() -> dict[str, tuple[type[models.Model], str]]:
    """Every kind of row that points at a client, by the name recorded in ``ClientMerge.moved``.

    Found from the model graph, so rows of any app (intake applications,
    assessments, later plans and referrals) follow a merge without this module
    knowing them. The merge records themselves and a record's own ``merged_into``
    link stay where they are.
    """
    found: dict[str, tuple[type[models.Model], str]] = {}
    for relation in Client._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many or relation.one_to_one or model is ClientMerge:
            continue
        if not isinstance(model, type) or model is Client:
            continue
        field = relation.field.name
        found[f"{model._meta.label_lower}.{field}"] = (model, field)
    return dict(sorted(found.items()))


def merge_outcome(keep: Client, gone: Client) -> tuple[list[str], dict[str, Any]]:
    """What merging ``gone`` into ``keep`` does to the record: the fields ``keep`` takes
    from ``gone`` (its own are blank), and ``gone``'s values that differ from ``keep``'s
    (``keep``'s stay; these are kept on the merge record). Changes nothing."""
    filled: list[str] = []
    conflicts: dict[str, Any] = {}
    for name in MERGE_FIELDS:
        mine, theirs = getattr(keep, name), getattr(gone, name)
        if theirs in _BLANK or mine == theirs:
            continue
        if mine in _BLANK:
            filled.append(name)
        else:
            conflicts[name] = theirs
    for name in ("first_name", "last_name"):
        if getattr(keep, name) != getattr(gone, name):
            conflicts[name] = getattr(gone, name)
    return filled, conflicts


def client_merge(*, actor: User, survivor: Client, merged: Client) -> ClientMerge:
    """Make ``merged`` part of ``survivor``: cases, contacts, identifiers, relationships move.

    The survivor's own values win; its blank fields take the other record's; every
    other differing value is kept on the merge record. ``merged`` stays, marked.
    """
    access.require(
        access.can_merge_clients(actor), _("Only agency admins and supervisors merge records.")
    )
    if survivor.pk == merged.pk:
        raise ValidationError({"merged": _("Choose two different records.")})
    with transaction.atomic():
        pair = {
            c.pk: c
            for c in Client.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
        }
        visible = set(
            access.mergeable_clients(actor).filter(pk__in=pair).values_list("pk", flat=True)
        )
        if visible != {survivor.pk, merged.pk}:
            raise NotFound(_("No such client."))
        keep, gone = pair[survivor.pk], pair[merged.pk]
        moved: dict[str, list[int]] = {}
        for name, (model, field) in _movable().items():
            rows = model._default_manager.filter(**{field: gone})
            moved[name] = sorted(rows.values_list("pk", flat=True))
            rows.update(**{field: keep})
        filled, conflicts = merge_outcome(keep, gone)
        for name in filled:
            setattr(keep, name, getattr(gone, name))
        record = ClientMerge(
            organization_id=keep.organization_id,
            survivor=keep,
            merged=gone,
            moved=moved,
            filled=filled,
            conflicts=_json_ready(conflicts),
            merged_by=actor,
        )
        record.save()
        now = timezone.now()
        keep.updated_at = now
        keep.version += 1
        keep.save()
        gone.merged_into = keep
        gone.updated_at = now
        gone.version += 1
        gone.save()
        changes = {
            "merged_client_id": gone.pk,
            "moved": {name: len(ids) for name, ids in moved.items()},
            "filled": filled,
            "conflicting_fields": sorted(conflicts),
        }
        audit.record(
            action="client.merge", actor=actor, target=record, client_id=keep.pk, changes=changes
        )
        audit.record(
            action="client.merged_into",
            actor=actor,
            target=record,
            client_id=gone.pk,
            changes={"survivor_client_id": keep.pk},
        )
    return record


def _json_ready(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def client_unmerge(*, actor: User, merge: ClientMerge) -> Client:
    """Undo a merge: exactly the rows that moved go back, the filled fields empty again."""
    access.require(access.can_unmerge_clients(actor), _("Only agency admins undo a merge."))
    if merge.organization_id != actor.organization_id:
        raise NotFound(_("No such merge."))
    with transaction.atomic():
        record = ClientMerge.objects.select_for_update().get(pk=merge.pk)
        if record.unmerged_at is not None:
            raise ValidationError({NON_FIELD_ERRORS: _("This merge was already undone.")})
        pair = {
            c.pk: c
            for c in Client.objects.select_for_update().filter(
                pk__in=[record.survivor_id, record.merged_id]
            )
        }
        keep, gone = pair[record.survivor_id], pair[record.merged_id]
        for name, (model, field) in _movable().items():
            ids = record.moved.get(name, [])
            model._default_manager.filter(pk__in=ids, **{field: keep}).update(**{field: gone})
        blank: dict[str, Any] = {"date_of_birth": None, "gender": [], "race_ethnicity": []}
        for name in record.filled:
            setattr(keep, name, blank.get(name, ""))
        now = timezone.now()
        keep.updated_at = now
        keep.version += 1
        keep.save()
        gone.merged_into = None
        gone.updated_at = now
        gone.version += 1
        gone.save()
        record.unmerged_at = now
        record.unmerged_by = actor
        record.save(update_fields=["unmerged_at", "unmerged_by"])
        audit.record(
            action="client.unmerge",
            actor=actor,
            target=record,
            client_id=keep.pk,
            changes={"merged_client_id": gone.pk, "restored": sorted(record.filled)},
        )
    return gone
