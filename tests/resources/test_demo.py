"""The demo directory and the generator build believable, searchable data."""

from __future__ import annotations

import random

import pytest

from casework.resources import demo, synthetic
from casework.resources.models import Provider, ProviderNote, Service
from casework.resources.search import DirectoryQuery, search_services
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def test_the_demo_directory_covers_every_category_once(personas: Personas) -> None:
    made = demo.seed(organization=personas.agency, seed=3)
    assert 55 <= made <= 80
    assert demo.seed(organization=personas.agency, seed=3) == 0
    assert Provider.objects.filter(organization=personas.agency, is_own_agency=True).count() == 1
    assert ProviderNote.objects.filter(organization=personas.agency).exists()
    for code in ("housing", "immigration", "older_adults", "language_literacy"):
        page = search_services(actor=personas.case_manager, query=DirectoryQuery(category=code))
        assert page.count >= 1, code
    assert Service.objects.filter(organization=personas.agency, search_text="").count() == 0


def test_the_generator_writes_searchable_services(personas: Personas) -> None:
    written = synthetic.generate_directory(
        organization_id=personas.agency.pk, services=300, rng=random.Random(5)
    )
    assert written == 300
    page = search_services(actor=personas.case_manager, query=DirectoryQuery(words="synthetic"))
    assert page.count > 250
    assert Service.objects.filter(organization=personas.agency, openings__isnull=False).exists()


@pytest.mark.parametrize("words", ["financial", "tuition", "school", "grant", "college"])
def test_a_student_finds_college_navigation_in_the_demo_directory(
    personas: Personas, words: str
) -> None:
    demo.seed(organization=personas.agency, seed=3)
    page = search_services(
        actor=personas.case_manager, query=DirectoryQuery(words=words, page_size=100)
    )
    assert "College Navigation" in [hit.service.name for hit in page.hits], words
