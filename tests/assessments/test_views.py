"""Assessment pages: fill in, save partway, complete, sign, compare; reports; the editor."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casework.assessments import demo as assessments_demo
from casework.assessments import services
from casework.assessments.models import (
    Assessment,
    AssessmentStatus,
    ExternalAssessment,
    InstrumentVersion,
)
from casework.core.models import AuditEvent, User
from tests.helpers import assert_constant_queries
from tests.personas import Personas

from .conftest import complete_needs, needs_answers

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Any]
HTMX = {"HX-Request": "true"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def form_data(answers: dict[str, Any], version: int) -> dict[str, Any]:
    data: dict[str, Any] = {"expected_version": version}
    for qid, value in answers.items():
        data[f"answer_{qid}"] = "on" if value is True else value
    return data


def test_the_case_manager_starts_an_assessment(
    personas: Personas, needs_version: InstrumentVersion, client_as: SignIn
) -> None:
    web = client_as(personas.case_manager)
    html = web.get(reverse("case-assessments", args=[personas.case.pk])).content.decode()
    assert "Life-domains needs assessment" in html
    response = web.post(
        reverse("case-assessment-start", args=[personas.case.pk]),
        {"instrument_version": needs_version.pk, "assessed_on": timezone.localdate()},
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("case-assessment", args=[assessment.pk])
    page = web.get(response["Location"]).content.decode()
    assert "<legend>How settled and safe is the place you live?" in page
    assert 'name="answer_housing_score" value="1"' in page
    assert "1 – Crisis" in page


def test_saving_partway_with_htmx_returns_the_form(
    personas: Personas, needs_version: InstrumentVersion, client_as: SignIn
) -> None:
    a = services.assessment_start(
        actor=personas.case_manager, case=personas.case, instrument_version=needs_version
    )
    web = client_as(personas.case_manager)
    response = web.post(
        reverse("case-assessment-save", args=[a.pk]),
        form_data({"housing_score": "2", "housing_note": "Behind on rent"}, a.version),
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<form")
    assert "Saved at" in html
    assert 'name="expected_version" value="2"' in html
    a.refresh_from_db()
    assert a.answers == {"housing_score": 2, "housing_note": "Behind on rent"}
    stale = web.post(reverse("case-assessment-save", args=[a.pk]), form_data({}, 1), headers=HTMX)
    assert stale.status_code == 409
    assert "Someone else saved" in stale.content.decode()


def test_completing_shows_each_missing_answer_next_to_its_question(
    personas: Personas, needs_version: InstrumentVersion, client_as: SignIn
) -> None:
    a = services.assessment_start(
        actor=personas.case_manager, case=personas.case, instrument_version=needs_version
    )
    web = client_as(personas.case_manager)
    response = web.post(
        reverse("case-assessment-complete", args=[a.pk]),
        form_data({"housing_score": "9"}, a.version),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#question-housing_score"' in html
    assert "Choose a point from 1 to 5." in html
    assert 'href="#question-food_score"' in html
    assert html.count("Answer this question to complete the assessment.") >= 14
    a.refresh_from_db()
    assert a.status == AssessmentStatus.DRAFT


def test_complete_sign_and_see_the_change_since_last_time(
    personas: Personas, needs_version: InstrumentVersion, client_as: SignIn
) -> None:
    p = personas
    complete_needs(
        p.case_manager,
        p.case,
        needs_version,
        {"housing": 1, "food": 4},
        assessed_on=timezone.localdate() - timedelta(days=91),
    )
    a = services.assessment_start(
        actor=p.case_manager, case=p.case, instrument_version=needs_version
    )
    web = client_as(p.case_manager)
    response = web.post(
        reverse("case-assessment-complete", args=[a.pk]),
        form_data(needs_answers({"housing": 3, "food": 2}), a.version),
    )
    assert response.status_code == 302
    html = web.get(reverse("case-assessment", args=[a.pk])).content.decode()
    assert "Scores and change since the last assessment" in html
    assert "Worse in 1 domain: Food" in html
    assert "Better in 1 domain: Housing" in html
    assert "Unchanged in 12 domains" in html
    assert re.search(r"Housing</th>\s*<td class=\"num\">1</td>\s*<td class=\"num\">3", html)
    assert "↑</span> up 2" in html
    assert "↓</span> down 2" in html
    assert "<svg" in html
    assert 'role="img"' in html
    assert "Housing: 1 then 3" in html
    assert " style=" not in html
    assert "Identified needs" in html
    assert "Note about food" in html  # food scored 2 now: an identified need
    a.refresh_from_db()
    response = web.post(
        reverse("case-assessment-sign", args=[a.pk]),
        {"expected_version": a.version, "acknowledged": "on"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == AssessmentStatus.SIGNED
    html = web.get(reverse("case-assessment", args=[a.pk])).content.decode()
    assert "A signed assessment is locked" in html
    assert "Sign the assessment" not in html


def test_a_report_is_uploaded_and_downloaded_through_the_access_check(
    personas: Personas, client_as: SignIn, media: Path
) -> None:
    p = personas
    web = client_as(p.case_manager)
    url = reverse("case-external-assessment-new", args=[p.case.pk])
    response = web.post(
        url,
        {
            "kind": "psychologist",
            "professional_name": "Dr. Example",
            "assessed_on": timezone.localdate().isoformat(),
            "findings": "Findings text",
            "client_summary": "In plain words",
            "report": SimpleUploadedFile("Jane Client eval.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    external = ExternalAssessment.objects.get()
    assert "Jane" not in external.report.name
    assert external.report.name.startswith("assessment-reports/")
    assert len(Path(external.report.name).stem) >= 40
    download = reverse("case-external-assessment-report", args=[external.pk])
    got = web.get(download)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == PDF
    assert got["Content-Type"] == "application/pdf"
    assert "attachment" in got["Content-Disposition"]
    assert "Jane" not in got["Content-Disposition"]
    assert (
        AuditEvent.objects.filter(
            action="external_assessment.report_download", client_id=p.case.client_id
        ).count()
        == 1
    )
    for who in (p.colleague, p.auditor, p.outsider):
        assert client_as(who).get(download).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("notes.exe", b"MZ....", "Upload a PDF, Word (.docx), PNG or JPEG file"),
        ("fake.pdf", b"<html>not a pdf</html>", "contents are not a .pdf file"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_report_of_the_wrong_type_is_refused(
    personas: Personas, client_as: SignIn, name: str, content: bytes, problem: str
) -> None:
    response = client_as(personas.case_manager).post(
        reverse("case-external-assessment-new", args=[personas.case.pk]),
        {
            "kind": "physician",
            "professional_name": "Dr. Example",
            "assessed_on": timezone.localdate().isoformat(),
            "findings": "Findings",
            "report": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not ExternalAssessment.objects.exists()


def test_a_large_report_is_refused(personas: Personas, settings: Any) -> None:
    settings.CASEWORK_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024))
    with pytest.raises(Exception, match="larger than 1 MB"):
        services.external_assessment_record(
            actor=personas.case_manager,
            case=personas.case,
            kind="other",
            professional_name="X",
            assessed_on=timezone.localdate(),
            findings="F",
            report=big,
        )


def test_the_instrument_editor_names_problems_and_previews(
    personas: Personas, needs_version: InstrumentVersion, program_manager: User, client_as: SignIn
) -> None:
    web = client_as(program_manager)
    html = web.get(reverse("manage-program-instruments")).content.decode()
    assert "Adapt for your agency" in html
    response = web.post(
        reverse("manage-program-instrument-draft", args=[needs_version.instrument_id])
    )
    draft_url = response["Location"]
    page = web.get(draft_url).content.decode()
    assert "Publish this version" in page
    assert "<legend>How settled and safe is the place you live?" in page  # the preview
    definition = json.loads(json.dumps(needs_version.definition))
    definition["sections"][1]["questions"][0]["kind"] = "slider"
    response = web.post(draft_url, {"expected_version": 1, "definition": json.dumps(definition)})
    assert response.status_code == 400
    assert "<code>sections[1].questions[0].kind</code>" in response.content.decode()
    response = web.post(draft_url, {"expected_version": 1, "definition": "{not json"})
    assert response.status_code == 400
    assert "This is not valid JSON" in response.content.decode()


# --- query budgets ---------------------------------------------------------------------------


def test_the_assessment_list_runs_constant_queries(
    personas: Personas, needs_version: InstrumentVersion, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.case_manager)
    url = reverse("case-assessments", args=[p.case.pk])
    complete_needs(p.case_manager, p.case, needs_version, {"housing": 1})
    web.get(url)

    def grow() -> None:
        for _ in range(3):
            complete_needs(p.supervisor, p.case, needs_version, {"food": 2})
        services.external_assessment_record(
            actor=p.case_manager,
            case=p.case,
            kind="other",
            professional_name="X",
            assessed_on=timezone.localdate(),
            findings="F",
        )

    assert_constant_queries(lambda: web.get(url), grow)


def test_the_assessment_page_runs_constant_queries(
    personas: Personas, needs_version: InstrumentVersion, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.case_manager)
    today = timezone.localdate()
    complete_needs(
        p.case_manager,
        p.case,
        needs_version,
        {"housing": 2},
        assessed_on=today - timedelta(days=200),
    )
    current = complete_needs(p.case_manager, p.case, needs_version, {"housing": 1, "food": 1})
    url = reverse("case-assessment", args=[current.pk])
    web.get(url)

    def grow() -> None:
        for n in range(3):
            complete_needs(
                p.case_manager,
                p.case,
                needs_version,
                {"income": 1},
                assessed_on=today - timedelta(days=100 + n),
            )

    assert_constant_queries(lambda: web.get(url), grow)


def test_the_case_page_section_lists_recent_assessments_and_needs(
    personas: Personas, needs_version: InstrumentVersion, rf: Any
) -> None:
    from django.template.loader import render_to_string

    from casework.assessments.views import case_section_context

    p = personas
    complete_needs(p.case_manager, p.case, needs_version, {"safety": 1})
    context = case_section_context(p.case_manager, p.case)
    html = render_to_string("assessments/_case_section.html", {"case": p.case, **context})
    assert "Life-domains needs assessment" in html
    assert "Safety: Crisis (1)" in html, "the need level in the scale's words, no trailing .00"
    assert "All assessments, or start one" in html
    assert case_section_context(p.colleague, p.case)["assessment_section"]["recent"] == []
    # a reassessment: only its needs are listed, each domain once
    complete_needs(p.case_manager, p.case, needs_version, {"safety": 2, "housing": 1})
    html = render_to_string(
        "assessments/_case_section.html",
        {"case": p.case, **case_section_context(p.case_manager, p.case)},
    )
    assert html.count("Safety: ") == 1 and "Safety: Vulnerable (2)" in html
    assert "Housing: Crisis (1)" in html
    assert ".00" not in html


def test_the_assessment_page_names_each_need_level_in_the_scale_words(
    personas: Personas, needs_version: InstrumentVersion, client_as: SignIn
) -> None:
    p = personas
    a = complete_needs(p.case_manager, p.case, needs_version, {"employment": 2, "food": 1})
    html = client_as(p.case_manager).get(reverse("case-assessment", args=[a.pk])).content.decode()
    needs = html[html.index('id="needs-caption"') :]
    assert re.search(r">Employment</th>\s*<td>Vulnerable</td>\s*<td class=\"num\">2</td>", needs)
    assert {str(n) for n in a.identified_needs.all()} == {
        "Employment: Vulnerable (2)",
        "Food: Crisis (1)",
    }
    assert re.search(r">Food</th>\s*<td>Crisis</td>\s*<td class=\"num\">1</td>", needs)


def test_an_assessment_that_scores_nothing_shows_no_identified_needs_card(
    personas: Personas, intake_version: InstrumentVersion, client_as: SignIn
) -> None:
    p = personas
    a = services.assessment_start(
        actor=p.case_manager, case=p.case, instrument_version=intake_version
    )
    services.assessment_complete(
        actor=p.case_manager,
        assessment=a,
        answers=assessments_demo._intake_answers(random.Random(3)),
        expected_version=a.version,
    )
    html = client_as(p.case_manager).get(reverse("case-assessment", args=[a.pk])).content.decode()
    assert "Background" in html
    assert "Identified needs" not in html
