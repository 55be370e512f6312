"""Assessment pages: a case's assessments, filling one in, the result with change over
time, other professionals' reports, and the instrument editor for program managers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import access
from casework.access import Action
from casework.clients.models import Case
from casework.core.errors import ConflictError, NotFound
from casework.core.forms import add_service_errors
from casework.core.models import User
from casework.core.web import AuthenticatedRequest, is_partial, paginate

from . import definitions, queries, services
from .forms import DraftForm, ExternalAssessmentForm, InstrumentCreateForm, SignForm, StartForm
from .models import Assessment, ExternalAssessment, InstrumentVersion, VersionStatus

# --- rendering questions ----------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    checked: bool


@dataclass
class QuestionView:
    """One question as the fill-in form shows it."""

    question: dict[str, Any]
    name: str
    text: str = ""
    checked: bool = False
    options: list[Option] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    condition: str = ""
    show_when: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.question["id"])

    @property
    def kind(self) -> str:
        return str(self.question["kind"])

    @property
    def uses_fieldset(self) -> bool:
        return self.kind in (
            definitions.SINGLE_CHOICE,
            definitions.MULTI_CHOICE,
            definitions.SCALE,
            definitions.YES_NO,
        )


def field_name(qid: str) -> str:
    return f"answer_{qid}"


def posted_answers(definition: dict[str, Any], data: Any) -> dict[str, Any]:
    """Every question's answer as the form sent it (a cleared field clears the answer)."""
    answers: dict[str, Any] = {}
    for question in definitions.iter_questions(definition):
        name = field_name(question["id"])
        if question["kind"] == definitions.MULTI_CHOICE:
            answers[question["id"]] = data.getlist(name)
        else:
            answers[question["id"]] = data.get(name, "")
    return answers


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def question_views(
    definition: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """Sections with their questions, filled with ``values`` (saved or just posted)."""
    errors = errors or {}
    sections = []
    for section in definition["sections"]:
        views = []
        for question in section["questions"]:
            qid = question["id"]
            value = values.get(qid)
            view = QuestionView(
                question=question,
                name=field_name(qid),
                errors=errors.get(qid, []),
                condition=definitions.describe_condition(definition, question),
            )
            kind = question["kind"]
            if kind in definitions.CHOICE_KINDS:
                chosen = value if isinstance(value, list) else [value]
                view.options = [
                    Option(c["value"], c["label"], c["value"] in chosen)
                    for c in question["choices"]
                ]
            elif kind == definitions.SCALE:
                view.options = [
                    Option(str(p), f"{p} – {label}" if label else str(p), _as_text(value) == str(p))
                    for p, label in definitions.scale_points(question)
                ]
            elif kind == definitions.YES_NO:
                text = _as_text(value)
                view.options = [
                    Option("yes", _("Yes"), text == "yes"),
                    Option("no", _("No"), text == "no"),
                ]
            elif kind == definitions.SIGNATURE:
                view.checked = value is True or value in ("on", "true", "yes")
            else:
                view.text = _as_text(value)
            condition = question.get("show_when")
            if condition:
                operator = "contains" if "contains" in condition else "equals"
                expected = condition[operator]
                view.show_when = {
                    "question": field_name(condition["question"]),
                    "operator": operator,
                    "value": _as_text(expected),
                }
            views.append(view)
        sections.append({"section": section, "questions": views})
    return sections


def answered_sections(assessment: Assessment) -> list[dict[str, Any]]:
    """The questions that were asked, each with its answer in words."""
    definition = assessment.instrument_version.definition
    visible = definitions.visible_question_ids(definition, assessment.answers)
    sections = []
    for section in definition["sections"]:
        rows = [
            (q["label"], definitions.answer_label(q, assessment.answers.get(q["id"])))
            for q in section["questions"]
            if q["id"] in visible
        ]
        sections.append({"section": section, "rows": rows})
    return sections


# --- the change chart -------------------------------------------------------------------------

CHART_LABEL_WIDTH = 200
CHART_BAR_WIDTH = 300
CHART_ROW = 40


@dataclass
class ChartRow:
    label: str
    y: int
    previous_width: int
    current_width: int
    previous_text: str
    current_text: str


def chart(comparison: queries.Comparison) -> dict[str, Any] | None:
    """Paired bars per domain (previous, current), positioned here so the SVG needs no style."""
    rows = comparison.domain_rows
    if comparison.previous is None or not rows:
        return None
    chart_rows = []
    for n, row in enumerate(rows):
        maximum = row.maximum or 1

        def width(value: float | None, maximum: float = maximum) -> int:
            return round(CHART_BAR_WIDTH * (value or 0) / maximum)

        chart_rows.append(
            ChartRow(
                label=row.label,
                y=30 + n * CHART_ROW,
                previous_width=width(row.previous),
                current_width=width(row.current),
                previous_text=_as_text(row.previous) or "—",
                current_text=_as_text(row.current) or "—",
            )
        )
    summary = "; ".join(
        _("%(label)s: %(previous)s then %(current)s")
        % {"label": r.label, "previous": r.previous_text, "current": r.current_text}
        for r in chart_rows
    )
    return {
        "rows": chart_rows,
        "height": 40 + len(chart_rows) * CHART_ROW,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 60,
        "bars_x": CHART_LABEL_WIDTH,
        "text_x": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 8,
        "legend_x": CHART_LABEL_WIDTH + 120,
        "summary": summary,
    }


# --- a case's assessments ---------------------------------------------------------------------


def case_section_context(user: User, case: Case) -> dict[str, Any]:
    """For the case page's "Assessments" section (``assessments/_case_section.html``)."""
    recent = list(queries.assessments(user, case).order_by("-assessed_on", "-pk")[:5])
    # the newest assessment's needs: older ones would list a domain once per assessment
    needs = sorted(_latest_needs(user, case), key=lambda n: (n.score, n.domain_label))
    return {
        "assessment_section": {
            "recent": recent,
            "needs": needs,
            "can_change": case.is_open and access.case_allows(user, case, Action.CHANGE),
        }
    }


def _latest_needs(user: User, case: Case) -> list[Any]:
    """Needs from the newest completed assessment that found any."""
    needs = queries.identified_needs(user, case).order_by(
        "-assessment__assessed_on", "-assessment_id", "score", "domain_label"
    )
    latest: list[Any] = []
    for need in needs[:50]:
        if latest and need.assessment_id != latest[0].assessment_id:
            break
        latest.append(need)
    return latest


@login_required
def case_assessments(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = access.get_case(user, case_id)
    return _render_case_assessments(request, case, StartForm(viewer=user))


def _render_case_assessments(
    request: AuthenticatedRequest, case: Case, start_form: StartForm, status: int = 200
) -> HttpResponse:
    user = request.user
    page = paginate(request, queries.assessments(user, case).order_by("-assessed_on", "-pk"))
    externals = list(queries.external_assessments(user, case).order_by("-assessed_on", "-pk")[:50])
    return render(
        request,
        "assessments/case_assessments.html",
        {
            "case": case,
            "page": page,
            "externals": externals,
            "needs": _latest_needs(user, case),
            "start_form": start_form,
            "can_change": case.is_open and access.case_allows(user, case, Action.CHANGE),
        },
        status=status,
    )


@login_required
@require_POST
def assessment_start(request: AuthenticatedRequest, case_id: int) -> HttpResponseBase:
    user = request.user
    case = access.get_case(user, case_id, Action.CHANGE)
    form = StartForm(request.POST, viewer=user)
    if form.is_valid():
        try:
            assessment = services.assessment_start(
                actor=user,
                case=case,
                instrument_version=form.cleaned_data["instrument_version"],
                assessed_on=form.cleaned_data["assessed_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("case-assessment", pk=assessment.pk)
    return _render_case_assessments(request, case, form, status=400)


# --- one assessment ---------------------------------------------------------------------------


def _fill_context(
    assessment: Assessment,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    *,
    conflict: str = "",
    saved: bool = False,
) -> dict[str, Any]:
    definition = assessment.instrument_version.definition
    errors = errors or {}
    questions = definitions.questions_by_id(definition)
    error_list = [
        (qid, questions[qid]["label"] if qid in questions else qid, message)
        for qid, msgs in errors.items()
        for message in msgs
    ]
    return {
        "assessment": assessment,
        "case": assessment.case,
        "sections": question_views(definition, values, errors),
        "error_list": error_list,
        "conflict": conflict,
        "saved": saved,
        "saved_at": timezone.localtime(assessment.updated_at) if saved else None,
    }


def _render_fill(
    request: AuthenticatedRequest,
    assessment: Assessment,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    *,
    conflict: str = "",
    saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = _fill_context(assessment, values, errors, conflict=conflict, saved=saved)
    template = (
        "assessments/_fill_form.html" if is_partial(request) else "assessments/assessment_fill.html"
    )
    return render(request, template, context, status=status)


def _render_result(
    request: AuthenticatedRequest,
    assessment: Assessment,
    sign_form: SignForm | None = None,
    *,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_sign = assessment.status == "completed" and access.case_allows(
        user, assessment.case, Action.CHANGE
    )
    if can_sign and sign_form is None:
        sign_form = SignForm(initial={"expected_version": assessment.version})
    comparison = queries.comparison(assessment)
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "assessment": assessment,
            "case": assessment.case,
            "sections": answered_sections(assessment),
            "comparison": comparison,
            "chart": chart(comparison),
            "needs": list(assessment.identified_needs.order_by("score", "domain_label")),
            "sign_form": sign_form if can_sign else None,
            "conflict": conflict,
        },
        status=status,
    )


@login_required
def assessment_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    assessment = queries.get_assessment(user, pk)
    services.assessment_viewed(actor=user, assessment=assessment, via="web")
    if assessment.is_draft and access.case_allows(user, assessment.case, Action.CHANGE):
        return _render_fill(request, assessment, assessment.answers)
    return _render_result(request, assessment)


def _expected_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("expected_version", ""))
    except ValueError:
        return None


def _problems(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return dict(exc.message_dict)
    return {NON_FIELD_ERRORS: list(exc.messages)}


@login_required
@require_POST
def assessment_save(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Save partway: every answer given must be valid, none is required yet."""
    user = request.user
    assessment = queries.get_assessment(user, pk, Action.CHANGE)
    posted = posted_answers(assessment.instrument_version.definition, request.POST)
    try:
        saved = services.assessment_save(
            actor=user,
            assessment=assessment,
            answers=posted,
            expected_version=_expected_version(request),
        )
    except ConflictError as exc:
        return _render_fill(request, assessment, posted, conflict=exc.message, status=409)
    except ValidationError as exc:
        return _render_fill(request, assessment, posted, _problems(exc), status=400)
    if not is_partial(request):
        messages.success(request, _("Your answers are saved. You can come back to finish."))
        return redirect("case-assessment", pk=pk)
    return _render_fill(request, saved, saved.answers, saved=True)


@login_required
@require_POST
def assessment_complete(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    assessment = queries.get_assessment(user, pk, Action.CHANGE)
    posted = posted_answers(assessment.instrument_version.definition, request.POST)
    try:
        services.assessment_complete(
            actor=user,
            assessment=assessment,
            answers=posted,
            expected_version=_expected_version(request),
        )
    except ConflictError as exc:
        return _render_fill(request, assessment, posted, conflict=exc.message, status=409)
    except ValidationError as exc:
        return _render_fill(request, assessment, posted, _problems(exc), status=400)
    messages.success(request, _("The assessment is complete."))
    return redirect("case-assessment", pk=pk)


@login_required
@require_POST
def assessment_sign(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    assessment = queries.get_assessment(user, pk, Action.CHANGE)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _render_result(request, assessment, form, status=400)
    try:
        services.assessment_sign(
            actor=user,
            assessment=assessment,
            acknowledged=form.cleaned_data["acknowledged"],
            expected_version=form.cleaned_data["expected_version"],
        )
    except ConflictError as exc:
        return _render_result(request, assessment, form, conflict=exc.message, status=409)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _render_result(request, assessment, form, status=400)
    messages.success(request, _("The assessment is signed and can no longer change."))
    return redirect("case-assessment", pk=pk)


# --- other professionals' assessments -----------------------------------------------------------


@login_required
def external_new(request: AuthenticatedRequest, case_id: int) -> HttpResponseBase:
    user = request.user
    case = access.get_case(user, case_id, Action.CHANGE)
    status = 200
    if request.method == "POST":
        form = ExternalAssessmentForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.external_assessment_record(actor=user, case=case, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The assessment is recorded."))
                return redirect("case-assessments", case_id=case.pk)
    else:
        form = ExternalAssessmentForm()
    return render(
        request, "assessments/external_form.html", {"case": case, "form": form}, status=status
    )


def report_response(user: User, external: ExternalAssessment, *, via: str) -> FileResponse:
    """Stream a report as a download, after writing the read to the audit log."""
    services.external_report_opened(actor=user, external=external, via=via)
    extension = external.report.name.rsplit(".", 1)[-1] if "." in external.report.name else "bin"
    response = FileResponse(
        external.report.open("rb"),
        as_attachment=True,
        # A neutral name: the uploaded one may name the client.
        filename=f"assessment-report-{external.pk}.{extension}",
        content_type=external.report_content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def external_report(request: AuthenticatedRequest, pk: int) -> FileResponse:
    external = queries.get_external_assessment(request.user, pk)
    if not external.report:
        raise NotFound("This assessment has no report attached.")
    return report_response(request.user, external, via="web")


# --- instruments (program managers) ---------------------------------------------------------


def _require_configure(user: User) -> None:
    access.require(access.can_configure_programs(user))


@login_required
def instrument_list(request: AuthenticatedRequest) -> HttpResponseBase:
    user = request.user
    _require_configure(user)
    status = 200
    form = InstrumentCreateForm(request.POST or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                draft = services.instrument_create(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("manage-program-instrument-version", pk=draft.pk)
    instruments = queries.instruments(user).select_related("based_on").order_by("name", "pk")
    versions = InstrumentVersion.objects.filter(instrument__in=instruments).order_by("-number")
    by_instrument: dict[int, list[InstrumentVersion]] = {}
    for version in versions.only("pk", "instrument_id", "number", "status"):
        by_instrument.setdefault(version.instrument_id, []).append(version)
    rows = [(i, by_instrument.get(i.pk, [])) for i in instruments]
    return render(
        request,
        "assessments/instrument_list.html",
        {"rows": rows, "form": form},
        status=status,
    )


@login_required
@require_POST
def instrument_draft(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    _require_configure(user)
    instrument = queries.get_instrument(user, pk)
    draft = services.instrument_draft_create(actor=user, instrument=instrument)
    return redirect("manage-program-instrument-version", pk=draft.pk)


def _definition_problems(exc: ValidationError) -> list[tuple[str, str]]:
    return [(path, message) for path, msgs in _problems(exc).items() for message in msgs]


@login_required
def instrument_version(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """A version: its questions as a form (preview); a draft is edited here as JSON."""
    user = request.user
    _require_configure(user)
    version = queries.get_instrument_version(user, pk)
    editable = version.status == VersionStatus.DRAFT and (
        version.instrument.organization_id == user.organization_id
    )
    problems: list[tuple[str, str]] = []
    conflict = ""
    status = 200
    if request.method == "POST" and editable:
        form = DraftForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                version = services.instrument_draft_update(
                    actor=user,
                    version=version,
                    definition=form.cleaned_data["definition"],
                    expected_version=form.cleaned_data["expected_version"],
                )
            except ConflictError as exc:
                conflict = exc.message
                status = 409
            except ValidationError as exc:
                problems = _definition_problems(exc)
            else:
                messages.success(request, _("The draft is saved. Check the preview below."))
                return redirect("manage-program-instrument-version", pk=version.pk)
    else:
        form = DraftForm(
            initial={
                "expected_version": version.version,
                "definition": json.dumps(version.definition, indent=2, ensure_ascii=False),
            }
        )
    preview_ok = not definitions.validate(version.definition)
    return render(
        request,
        "assessments/instrument_version.html",
        {
            "version": version,
            "instrument": version.instrument,
            "editable": editable,
            "form": form if editable else None,
            "problems": problems,
            "conflict": conflict,
            "reload_url": reverse("manage-program-instrument-version", kwargs={"pk": version.pk}),
            "preview": question_views(version.definition, {}) if preview_ok else None,
            "kinds": definitions.KINDS,
        },
        status=status,
    )


@login_required
@require_POST
def instrument_publish(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    _require_configure(user)
    version = queries.get_instrument_version(user, pk)
    try:
        services.instrument_publish(
            actor=user, version=version, expected_version=_expected_version(request)
        )
    except ConflictError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(f"{p}: {m}" for p, m in _definition_problems(exc)))
    else:
        messages.success(
            request,
            _("Version %(n)s is published. New assessments use it.") % {"n": version.number},
        )
    return redirect("manage-program-instrument-version", pk=version.pk)
