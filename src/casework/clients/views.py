"""Cases and client records: every read starts from the access policy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from casework import access
from casework.access import Action
from casework.confidentiality.views import break_glass_offer, restriction_context
from casework.core.errors import ConflictError, NotFound
from casework.core.forms import add_service_errors
from casework.core.models import Role, User
from casework.core.web import AuthenticatedRequest, is_partial, paginate

from . import services
from .forms import (
    CASE_SORTS,
    NO_CONTACT_FILTER_DAYS,
    REVIEW_DUE_FILTER_DAYS,
    AddressForm,
    CaseFilterForm,
    ClientRecordForm,
    ClientSearchForm,
    EmailForm,
    IdentifierForm,
    MergeForm,
    PhoneForm,
    RegisterForm,
    RelationshipEditForm,
    RelationshipForm,
)
from .matching import HiddenMatch, Match, find_possible_duplicates, hidden_record_may_match
from .models import (
    OPEN_STATUSES,
    Case,
    Client,
    ClientAddress,
    ClientEmail,
    ClientIdentifier,
    ClientMerge,
    ClientPhone,
    Relationship,
)
from .search import ClientQuery, search_clients

# --- Cases ---------------------------------------------------------------------------------


@login_required
@vary_on_headers("HX-Request")
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = CaseFilterForm(request.GET or None, viewer=user)
    cases = access.cases(user).select_related("client", "program", "team", "case_manager")
    status = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        status = data["status"]
        if data["team"] is not None:
            cases = cases.filter(team_id=data["team"].pk)
        if data["mine"]:
            cases = cases.filter(case_manager=user)
        cases = _caseload_filters(cases, data)
    if status == "all":
        pass
    elif status:
        cases = cases.filter(status=status)
    else:
        cases = cases.filter(status__in=OPEN_STATUSES)
    sort = form.sort_key()
    page = paginate(request, cases.order_by(*CASE_SORTS[sort]))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "sees_intake": user.has_role(Role.INTAKE_COORDINATOR),
        "has_teams": bool(access.team_ids(user)),
    }
    partial = is_partial(request)
    context["partial"] = partial
    template = "clients/_case_results.html" if partial else "clients/case_list.html"
    return render(request, template, context)


def _caseload_filters(cases: QuerySet[Case], data: dict[str, Any]) -> QuerySet[Case]:
    """Flags (any of those chosen), no recent contact, plan review due."""
    today = timezone.localdate()
    if data["flags"]:
        flagged = Q()
        for flag in data["flags"]:
            flagged |= Q(**{flag: True})
        cases = cases.filter(flagged)
    if data["no_contact"]:
        cutoff = today - timedelta(days=NO_CONTACT_FILTER_DAYS)
        cases = cases.filter(
            Q(last_contact_on__lt=cutoff) | Q(last_contact_on__isnull=True, opened_on__lt=cutoff)
        )
    if data["review_due"]:
        cases = cases.filter(next_review_on__lte=today + timedelta(days=REVIEW_DUE_FILTER_DAYS))
    return cases


# --- Clients -------------------------------------------------------------------------------


def _client_or_redirect(user: Any, pk: int) -> tuple[Client | None, int | None]:
    """The client; or, for a record merged into another the user may see, that one's id."""
    try:
        return access.get_client(user, pk), None
    except NotFound:
        merged_into = (
            Client.objects.filter(
                pk=pk, organization_id=access.organization_id(user), merged_into__isnull=False
            )
            .values_list("merged_into_id", flat=True)
            .first()
        )
        if merged_into is None:
            raise
        return None, access.get_client(user, merged_into).pk


SECTIONS = ("contact", "identifiers", "household")


def _section_context(user: Any, client: Client) -> dict[str, Any]:
    return {
        "client": client,
        "can_change": access.client_allows(user, client, Action.CHANGE) and not client.is_merged,
        "phones": list(client.phones.all()),
        "emails": list(client.emails.all()),
        "addresses": list(client.addresses.all()),
        "identifiers": list(client.identifiers.all()),
        "relationships": list(client.relationships.select_related("related_client")),
        "phone_form": PhoneForm(prefix="phone"),
        "email_form": EmailForm(prefix="email"),
        "address_form": AddressForm(prefix="address"),
        "identifier_form": IdentifierForm(prefix="identifier"),
        "relationship_form": RelationshipForm(prefix="relationship"),
    }


@login_required
def client_detail(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    try:
        client, survivor = _client_or_redirect(user, pk)
    except NotFound:
        offer = break_glass_offer(request, pk)
        if offer is None:
            raise
        return offer
    if client is None:
        messages.info(request, _("That record was merged into this one."))
        return redirect("client-detail", pk=survivor)
    services.client_record_viewed(actor=user, client=client, via="web")
    return render(request, "clients/client_detail.html", _detail_context(user, client))


def _detail_context(user: Any, client: Client) -> dict[str, Any]:
    context = _section_context(user, client)
    context["cases"] = (
        access.cases(user)
        .filter(client=client)
        .select_related("program", "team", "case_manager")
        .order_by("-opened_on", "-pk")
    )
    context["merges"] = list(
        client.merges.select_related("merged", "merged_by").filter(unmerged_at__isnull=True)
    )
    context["can_merge"] = access.can_merge_clients(user)
    context["can_receive_application"] = access.can_receive_applications(user)
    context["can_unmerge"] = access.can_unmerge_clients(user)
    context.update(restriction_context(user, client))
    return context


@login_required
def client_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    client = access.get_client(user, pk, Action.CHANGE)
    context: dict[str, Any] = {"client": client, "conflict": ""}
    status = 200
    if request.method == "POST":
        form = ClientRecordForm(request.POST, current_language=client.preferred_language)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.client_update(
                    actor=user,
                    client=client,
                    expected_version=data["expected_version"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    preferred_name=data["preferred_name"],
                    date_of_birth=data["date_of_birth"],
                    preferred_language=data["preferred_language"],
                    **form.details(),
                )
            except ConflictError as exc:
                context["conflict"] = exc.message
                context["reload_url"] = reverse("client-edit", kwargs={"pk": client.pk})
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The client record is saved."))
                return redirect("client-detail", pk=client.pk)
    else:
        services.client_record_viewed(actor=user, client=client, via="web")
        form = ClientRecordForm(
            initial=ClientRecordForm.initial_for(client),
            current_language=client.preferred_language,
        )
    context["form"] = form
    return render(request, "clients/client_form.html", context, status=status)


# --- contact, identifiers, household: small forms on the client page (htmx) --------------------


def _render_section(
    request: AuthenticatedRequest, client: Client, section: str, status: int = 200, **forms: Any
) -> HttpResponseBase:
    partial = is_partial(request)
    if not partial and status == 200:
        return redirect(reverse("client-detail", kwargs={"pk": client.pk}) + f"#{section}")
    context = (_section_context if partial else _detail_context)(request.user, client)
    context.update(forms)
    template = f"clients/_{section}_section.html" if partial else "clients/client_detail.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def client_section_add(request: AuthenticatedRequest, pk: int, section: str, kind: str) -> Any:
    user = request.user
    client = access.get_client(user, pk, Action.CHANGE)
    form_class: Any = {
        "phone": PhoneForm,
        "email": EmailForm,
        "address": AddressForm,
        "identifier": IdentifierForm,
        "relationship": RelationshipForm,
    }.get(kind)
    if form_class is None or section not in SECTIONS:
        raise NotFound
    form = form_class(request.POST, prefix=kind)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if kind == "phone":
                services.client_phone_add(actor=user, client=client, **data)
            elif kind == "email":
                services.client_email_add(actor=user, client=client, **data)
            elif kind == "address":
                services.client_address_add(actor=user, client=client, **data)
            elif kind == "identifier":
                services.client_identifier_add(actor=user, client=client, **data)
            else:
                related_id = data.pop("related_client")
                related = None
                if related_id is not None:
                    related = access.clients(user).filter(pk=related_id).first()
                    if related is None:
                        raise ValidationError(
                            {"related_client": _("No client of yours has this number.")}
                        )
                services.relationship_add(actor=user, client=client, related_client=related, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _render_section(request, client, section)
    return _render_section(request, client, section, status=400, **{f"{kind}_form": form})


@login_required
@require_POST
def client_section_remove(
    request: AuthenticatedRequest, pk: int, section: str, kind: str, item: int
) -> Any:
    user = request.user
    client = access.get_client(user, pk, Action.CHANGE)
    if section not in SECTIONS:
        raise NotFound
    model: Any = {
        "phone": ClientPhone,
        "email": ClientEmail,
        "address": ClientAddress,
        "identifier": ClientIdentifier,
        "relationship": Relationship,
    }.get(kind)
    row = model.objects.filter(client=client, pk=item).first() if model else None
    if row is None:
        raise NotFound
    if kind == "identifier":
        services.client_identifier_remove(actor=user, identifier=row)
    elif kind == "relationship":
        services.relationship_remove(actor=user, relationship=row)
    else:
        services.client_contact_end(actor=user, row=row)
    return _render_section(request, client, section)


@login_required
def relationship_edit(request: AuthenticatedRequest, pk: int, item: int) -> HttpResponseBase:
    """Correct or update what the record says of someone in the client's life."""
    user = request.user
    client = access.get_client(user, pk, Action.CHANGE)
    row = (
        Relationship.objects.filter(client=client, pk=item).select_related("related_client").first()
    )
    if row is None:
        raise NotFound
    initial = {name: getattr(row, name) for name in RelationshipEditForm.base_fields}
    form = RelationshipEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.relationship_update(actor=user, relationship=row, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The details of %(name)s are saved.") % {"name": row.name}
                )
                return redirect(reverse("client-detail", kwargs={"pk": client.pk}) + "#household")
    context = {"client": client, "relationship": row, "form": form}
    return render(request, "clients/relationship_edit.html", context, status=status)


# --- find a client, register a person ------------------------------------------------------------


@login_required
@vary_on_headers("HX-Request")
def client_list(request: AuthenticatedRequest) -> HttpResponse:
    """Find a client. The search is a POST: names never go into a URL."""
    user = request.user
    form = ClientSearchForm(request.POST if request.method == "POST" else None)
    page = None
    searched = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        query = ClientQuery(
            name=data["name"],
            date_of_birth=data["date_of_birth"],
            identifier=data["identifier"],
            phone=data["phone"],
        )
        if not query.is_empty:
            searched = True
            found = search_clients(actor=user, query=query)
            page = Paginator(found, settings.CASEWORK_PAGE_SIZE).get_page(data["page"] or 1)
    context = {
        "form": form,
        "page": page,
        "searched": searched,
        "can_register": user.has_role(*services.CLIENT_CREATORS),
    }
    if is_partial(request):
        return render(request, "clients/_client_results.html", context)
    return render(request, "clients/client_list.html", context)


@login_required
def client_register(request: AuthenticatedRequest) -> HttpResponseBase:
    """Register a person: possible duplicates are shown first, to open instead."""
    user = request.user
    access.require(user.has_role(*services.CLIENT_CREATORS))
    matches: list[Match] = []
    hidden_match: HiddenMatch | None = None
    status = 200
    if request.method == "POST":
        form = RegisterForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            identifiers = [("medicaid", data["medicaid_id"]), ("ssn", data["ssn"])]
            if not data["confirmed_new"]:
                person: dict[str, Any] = {
                    "actor": user,
                    "first_name": data["first_name"],
                    "last_name": data["last_name"],
                    "date_of_birth": data["date_of_birth"],
                    "identifiers": [(k, v) for k, v in identifiers if v],
                    "phone": data["phone"],
                }
                matches = find_possible_duplicates(**person)
                hidden_match = hidden_record_may_match(**person)
            if matches or hidden_match:
                status = 200
            else:
                try:
                    client = _register(user, form)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    if access.client_allows(user, client):
                        messages.success(request, _("%(name)s is registered.") % {"name": client})
                        return redirect("client-detail", pk=client.pk)
                    # A case manager sees a client through a case of their team's; until
                    # intake opens one, the new record is intake's to see.
                    messages.success(
                        request,
                        _(
                            "%(name)s is registered. Intake opens their case; you will see "
                            "the record once the case is yours or your team's."
                        )
                        % {"name": client},
                    )
                    return redirect("home")
    else:
        form = RegisterForm(initial={"name_data_quality": 1, "dob_data_quality": 1})
    return render(
        request,
        "clients/client_register.html",
        {"form": form, "matches": matches, "hidden_match": hidden_match},
        status=status,
    )


def _register(user: Any, form: RegisterForm) -> Client:
    data = form.cleaned_data
    with transaction.atomic():
        client = services.client_create(
            actor=user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            preferred_name=data["preferred_name"],
            date_of_birth=data["date_of_birth"],
            preferred_language=data["preferred_language"],
            **form.details(),
        )
        if data["phone"]:
            services.client_phone_add(actor=user, client=client, number=data["phone"])
        if data["medicaid_id"]:
            services.client_identifier_add(
                actor=user, client=client, kind="medicaid", value=data["medicaid_id"]
            )
    return client


# --- merge -------------------------------------------------------------------------------------


@login_required
def client_merge(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    access.require(access.can_merge_clients(user))
    survivor = access.mergeable_clients(user).filter(pk=pk).first()
    if survivor is None:
        raise NotFound
    form = MergeForm(request.POST or None)
    status = 200
    context: dict[str, Any] = {"client": survivor, "form": form}
    if request.method == "POST":
        status = 400
        if form.is_valid():
            other = access.mergeable_clients(user).filter(pk=form.cleaned_data["other"]).first()
            if other is None:
                form.add_error("other", _("No record you may merge has this number."))
            elif other.pk == survivor.pk:
                form.add_error("other", _("Choose two different records."))
            elif not form.cleaned_data["confirm"]:
                # First the two records side by side; the merge waits for a second yes.
                status = 200
                context |= {"other": other, **merge_comparison(user, survivor, other)}
                for shown in (survivor, other):
                    services.client_record_viewed(actor=user, client=shown, via="web", part="merge")
            else:
                try:
                    services.client_merge(actor=user, survivor=survivor, merged=other)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("The two records are now one."))
                    return redirect("client-detail", pk=survivor.pk)
    return render(request, "clients/client_merge.html", context, status=status)


#: The rows of the merge comparison: the names, then what a merge may fill.
_COMPARED = ("first_name", "last_name", *services.MERGE_FIELDS)


def _shown(client: Client, name: str) -> str:
    """A field's value as the comparison shows it: labels for coded values, never the
    full SSN (only whether one is on file)."""
    value = getattr(client, name)
    if name == "ssn":
        return _("on file") if value else ""
    if name == "gender":
        return ", ".join(client.gender_labels())
    if name == "race_ethnicity":
        return ", ".join(client.race_ethnicity_labels())
    if name == "sex":
        return str(client.get_sex_display())
    return "" if value is None else str(value)


def _label(name: str) -> str:
    field = Client._meta.get_field(name)
    return str(field.verbose_name) if isinstance(field, models.Field) else name


def merge_comparison(user: User, keep: Client, gone: Client) -> dict[str, Any]:
    """The two records side by side, with what the merge does to each field, and the
    cases of each that ``user`` may see (all of ``gone``'s move to ``keep``)."""
    filled, conflicts = services.merge_outcome(keep, gone)
    rows = []
    for name in _COMPARED:
        mine, theirs = _shown(keep, name), _shown(gone, name)
        if name in filled:
            outcome = "filled"
        elif name in conflicts:
            outcome = "differs"
        else:
            outcome = "kept" if mine != theirs else "same" if mine else "empty"
        rows.append(
            {
                "label": _label(name),
                "mine": mine,
                "theirs": theirs,
                "outcome": outcome,
            }
        )
    pair = [keep.pk, gone.pk]
    by_client: dict[int, list[Case]] = {keep.pk: [], gone.pk: []}
    seen = access.cases(user).filter(client_id__in=pair).select_related("program")
    for case in seen.order_by("-opened_on", "-pk"):
        by_client[case.client_id].append(case)
    total = Case.objects.filter(client_id=gone.pk).count()
    return {
        "rows": rows,
        "differs": sum(1 for r in rows if r["outcome"] == "differs"),
        "cases_mine": by_client[keep.pk],
        "cases_theirs": by_client[gone.pk],
        "cases_unseen": total - len(by_client[gone.pk]),
    }


@login_required
@require_POST
def client_unmerge(request: AuthenticatedRequest, merge_id: int) -> HttpResponseBase:
    user = request.user
    access.require(access.can_unmerge_clients(user))
    merge = ClientMerge.objects.filter(
        pk=merge_id, organization_id=access.organization_id(user)
    ).first()
    if merge is None:
        raise NotFound
    try:
        restored = services.client_unmerge(actor=user, merge=merge)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The merge is undone; the two records are separate again."))
        return redirect("client-detail", pk=restored.pk)
    return redirect("client-detail", pk=merge.survivor_id)
