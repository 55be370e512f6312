"""Possible duplicates: the examples people recognise, and precision/recall on synthetic pairs."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from faker import Faker

from casework.clients import services
from casework.clients.matching import dob_variants, find_possible_duplicates
from casework.clients.models import Client
from casework.clients.names import NICKNAME_GROUPS
from tests.factories import ClientFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def find(p: Personas, first: str, last: str, dob: date | None = None, **kw: object) -> list:
    return find_possible_duplicates(
        actor=p.intake, first_name=first, last_name=last, date_of_birth=dob, **kw
    )


def test_jon_smyth_is_found_when_john_smith_exists(personas: Personas) -> None:
    john = ClientFactory(
        organization=personas.agency,
        first_name="John",
        last_name="Smith",
        date_of_birth=date(1990, 3, 4),
    )
    matches = find(personas, "Jon", "Smyth", date(1990, 3, 4))
    assert [m.client for m in matches] == [john]
    assert "same date of birth" in matches[0].reasons
    assert "name sounds alike (Jon ~ John)" in matches[0].reasons
    assert "name sounds alike (Smyth ~ Smith)" in matches[0].reasons


def test_the_same_common_name_with_another_birth_date_is_somebody_else(personas: Personas) -> None:
    ClientFactory(
        organization=personas.agency,
        first_name="John",
        last_name="Smith",
        date_of_birth=date(1990, 3, 4),
    )
    assert find(personas, "John", "Smith", date(1975, 11, 22)) == []


@pytest.mark.parametrize(
    ("first", "last", "dob", "reason"),
    [
        ("Bill", "Jones", date(1980, 6, 15), "nickname (Bill ~ William)"),
        ("Jones", "William", date(1980, 6, 15), "first and last name swapped"),
        ("William", "Jones", date(1980, 15 % 12, 6), "day and month of birth swapped"),
        ("William", "Jones", date(1981, 6, 15), "date of birth differs by one digit"),
    ],
)
def test_nicknames_swaps_and_typed_dates(
    personas: Personas, first: str, last: str, dob: date, reason: str
) -> None:
    ClientFactory(
        organization=personas.agency,
        first_name="William",
        last_name="Jones",
        date_of_birth=date(1980, 6, 15),
    )
    if reason.startswith("day and month"):
        dob = date(1980, 6, 15).replace(month=6, day=15)
        ClientFactory(
            organization=personas.agency,
            first_name="Ann",
            last_name="Ray",
            date_of_birth=date(1980, 3, 11),
        )
        matches = find(personas, "Ann", "Ray", date(1980, 11, 3))
    else:
        matches = find(personas, first, last, dob)
    assert matches, reason
    assert reason in matches[0].reasons


def test_an_identifier_or_phone_is_evidence(personas: Personas) -> None:
    p = personas
    client = ClientFactory(
        organization=p.agency, first_name="Maria", last_name="Lopez", date_of_birth=date(1970, 1, 1)
    )
    services.client_identifier_add(actor=p.intake, client=client, kind="medicaid", value="MD-555")
    services.client_phone_add(actor=p.intake, client=client, number="555-222-3333")
    matches = find(
        p, "Mary", "Lopes", None, identifiers=[("medicaid", "md555")], phone="(555) 222-3333"
    )
    assert [m.client for m in matches] == [client]
    assert {"same Medicaid id", "same phone"} <= set(matches[0].reasons)


def test_only_clients_the_actor_may_see_are_considered(personas: Personas) -> None:
    p = personas
    other = p.outsider_case.client
    seen = p.case.client
    assert (
        find_possible_duplicates(
            actor=p.intake,
            first_name=other.first_name,
            last_name=other.last_name,
            date_of_birth=other.date_of_birth,
        )
        == []
    )
    # The case manager's own client is found by them, not by the colleague on another team.
    kwargs = {
        "first_name": seen.first_name,
        "last_name": seen.last_name,
        "date_of_birth": seen.date_of_birth,
    }
    assert find_possible_duplicates(actor=p.case_manager, **kwargs)[0].client == seen
    assert find_possible_duplicates(actor=p.colleague, **kwargs) == []


# --- precision and recall on synthetic pairs -------------------------------------------------

VOWEL_SWAPS = {"i": "y", "y": "i", "ph": "f", "f": "ph", "c": "k", "k": "c", "s": "z"}


def respell(name: str, rng: random.Random) -> str:
    """A plausible misspelling: a sound-alike letter, a doubled or dropped letter."""
    lower = name.lower()
    for old, new in rng.sample(sorted(VOWEL_SWAPS.items()), len(VOWEL_SWAPS)):
        if old in lower[1:]:
            i = lower.index(old, 1)
            return (name[:i] + new + name[i + len(old) :]).capitalize()
    i = rng.randrange(1, len(name))
    return (name[:i] + name[i] + name[i:]).capitalize()  # doubled letter


@dataclass
class Query:
    first: str
    last: str
    dob: date
    truth: int | None  # the client this query is meant to find; None for a new person


def build_pairs(agency_id: int, rng: random.Random, size: int) -> list[Query]:
    fake = Faker(["en_US", "es_MX"])
    fake.seed_instance(20240304)
    nicknames = {group[0]: group[1:] for group in NICKNAME_GROUPS}
    people: list[Client] = []
    seen: set[tuple[str, str]] = set()
    while len(people) < size:
        first = rng.choice([fake.first_name(), rng.choice(list(nicknames)).capitalize()])
        last = fake.last_name()
        if (first, last) in seen or len(first) < 3 or len(last) < 3:
            continue
        seen.add((first, last))
        client = Client(
            organization_id=agency_id,
            first_name=first,
            last_name=last,
            date_of_birth=date(1940, 1, 1) + timedelta(days=rng.randrange(25000)),
        )
        client.refresh_derived()
        people.append(client)
    Client.objects.bulk_create(people)
    queries: list[Query] = []
    for n, person in enumerate(people):
        dob = person.date_of_birth
        assert dob is not None
        first, last = person.first_name, person.last_name
        kind = n % 7
        if kind == 0:
            first = respell(first, rng)
        elif kind == 1:
            last = respell(last, rng)
        elif kind == 2:
            group = nicknames.get(first.lower())
            first = rng.choice(group).capitalize() if group else respell(first, rng)
        elif kind == 3:
            first, last = last, first
        elif kind == 4:
            dob = rng.choice(sorted(dob_variants(dob)))
        elif kind == 5:
            dob = dob.replace(month=dob.day, day=dob.month) if dob.day <= 12 else dob
            first = respell(first, rng)
        else:  # two mistakes at once: both names misspelled, and a mistyped birth date
            first, last = respell(first, rng), respell(last, rng)
            dob = rng.choice(sorted(dob_variants(dob)))
        queries.append(Query(first, last, dob, person.pk))
        # Somebody else: the same name born on another day, or another name the same day.
        other_day = dob
        while other_day == dob or other_day in dob_variants(dob):
            other_day = date(1940, 1, 1) + timedelta(days=rng.randrange(25000))
        if n % 3 == 0:
            queries.append(Query(person.first_name, person.last_name, other_day, None))
        elif n % 3 == 1:
            queries.append(Query(fake.first_name(), fake.last_name(), dob, None))
        else:  # a twin: same last name and birthday, another first name
            twin = fake.first_name()
            if twin[:2].lower() != person.first_name[:2].lower():
                queries.append(Query(twin, person.last_name, dob, None))
    return queries


def test_precision_and_recall_on_synthetic_pairs(personas: Personas) -> None:
    rng = random.Random(7)
    queries = build_pairs(personas.agency.pk, rng, 300)
    found = flagged = false_alarms = 0
    positives = sum(1 for q in queries if q.truth is not None)
    for q in queries:
        matches = find_possible_duplicates(
            actor=personas.intake, first_name=q.first, last_name=q.last, date_of_birth=q.dob
        )
        flagged += len(matches)
        hits = [m for m in matches if m.client.pk == q.truth]
        found += bool(hits)
        false_alarms += len(matches) - len(hits)
    precision = (flagged - false_alarms) / flagged
    recall = found / positives
    print(
        f"\nduplicate matching on {len(queries)} synthetic queries ({positives} true pairs): "
        f"precision {precision:.3f}, recall {recall:.3f}"
    )
    assert precision >= 0.95
    assert recall >= 0.9
