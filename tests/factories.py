"""factory_boy factories. All data is synthetic (Faker)."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from casework.clients.models import Case, CaseAssignment, CaseStatus, Client
from casework.core.models import (
    Organization,
    Program,
    StaffProfile,
    Team,
    TeamMembership,
    TeamRole,
    User,
)

PASSWORD = "correct horse battery staple"


@cache
def password_hash() -> str:
    """Hash once: argon2 is deliberately slow, and every test user shares the password."""
    return make_password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Faker("company")
    slug = factory.Sequence(lambda n: f"agency-{n}")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    code = factory.Sequence(lambda n: f"p{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A staff member. ``roles=[...]`` sets the staff profile's roles."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"staff{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.LazyFunction(password_hash)

    @factory.post_generation
    def roles(obj: User, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if not create:
            return
        StaffProfile.objects.create(
            user=obj,
            organization=obj.organization,
            roles=list(extracted if extracted is not None else ["case_manager"]),
            languages=["en"],
        )


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    organization = factory.SelfAttribute("team.organization")
    user = factory.SubFactory(
        UserFactory, organization=factory.SelfAttribute("..team.organization")
    )
    role = TeamRole.MEMBER


def _surname() -> str:
    """A synthetic surname of six letters or more. Tests check that a client's name is
    *not* on a page; a short one ("Li") is found inside ordinary words ("Links")."""
    faker = factory.Faker._get_faker()
    while True:
        name: str = faker.last_name()
        if len(name) >= 6 and name.isalpha():
            return name


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    organization = factory.SubFactory(OrganizationFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.LazyFunction(_surname)
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    program = factory.SelfAttribute("team.program")
    organization = factory.SelfAttribute("team.organization")
    client = factory.SubFactory(ClientFactory, organization=factory.SelfAttribute("..organization"))
    reference = factory.Sequence(lambda n: f"C-{n:06d}")
    status = CaseStatus.ACTIVE
    # Opened months ago, so a case has room for history (assessments, reassessments).
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=200))

    @factory.post_generation
    def assignment(obj: Case, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and obj.case_manager_id:
            CaseAssignment.objects.create(
                organization=obj.organization,
                case=obj,
                case_manager=obj.case_manager,
                team=obj.team,
            )


# --- notes ------------------------------------------------------------------------------------


class NoteFactory(factory.django.DjangoModelFactory):
    """A signed phone note by the case's manager (bypasses the services, for reads)."""

    class Meta:
        model = "notes.Note"

    case = factory.SubFactory(CaseFactory)
    organization = factory.SelfAttribute("case.organization")
    client = factory.SelfAttribute("case.client")
    author = factory.SelfAttribute("case.case_manager")
    contact_type = "phone"
    contact_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    sections = factory.LazyFunction(lambda: {"body": "Talked through the lease renewal."})
    status = "signed"
    signed_at = factory.LazyFunction(timezone.now)


class NoteAddendumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notes.NoteAddendum"

    note = factory.SubFactory(NoteFactory)
    organization = factory.SelfAttribute("note.organization")
    case = factory.SelfAttribute("note.case")
    author = factory.SelfAttribute("note.author")
    text = "A correction: the call was on the landline."


# --- monitoring -------------------------------------------------------------------------------


class TaskFactory(factory.django.DjangoModelFactory):
    """An open task on a case, for its case manager, due in a week (bypasses the services)."""

    class Meta:
        model = "monitoring.Task"

    case = factory.SubFactory(CaseFactory)
    organization = factory.SelfAttribute("case.organization")
    assignee = factory.SelfAttribute("case.case_manager")
    created_by = factory.SelfAttribute("assignee")
    title = "Call the landlord about the repairs"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A home visit on a case, organized by its case manager, tomorrow at this hour."""

    class Meta:
        model = "monitoring.Appointment"

    case = factory.SubFactory(CaseFactory)
    organization = factory.SelfAttribute("case.organization")
    organizer = factory.SelfAttribute("case.case_manager")
    kind = "home_visit"
    title = "Home visit: check the repairs"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    location = "12 Elm Street"


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "monitoring.Alert"

    case = factory.SubFactory(CaseFactory)
    organization = factory.SelfAttribute("case.organization")
    recipient = factory.SelfAttribute("case.case_manager")
    kind = "no_contact"
    key = factory.Sequence(lambda n: f"test:{n}")
    message = factory.LazyAttribute(lambda o: f"No contact recorded on case {o.case.reference}.")
