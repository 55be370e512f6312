"""Agency configuration services: permission, validation, audit, concurrency."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from casework.core import services
from casework.core.errors import ConflictError
from casework.core.models import AuditEvent, Program, StaffProfile, TeamMembership, User
from tests.personas import Personas

pytestmark = pytest.mark.django_db

RULES = [{"criterion": "age", "operator": "between", "value": [18, 64], "label": "Adults 18–64"}]


def test_a_program_manager_creates_a_program_with_rules_as_data(personas: Personas) -> None:
    pm = personas.admin
    program = services.program_create(
        actor=pm, name="Adult Mental Health", code="AMH", eligibility_rules=RULES
    )
    assert program.code == "amh"
    assert program.eligibility_rules == RULES
    assert AuditEvent.objects.filter(action="program.create", object_id=str(program.pk)).exists()


@pytest.mark.parametrize("who", ["case_manager", "supervisor", "auditor", "intake", "partner"])
def test_other_roles_cannot_create_programs(personas: Personas, who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.program_create(actor=getattr(personas, who), name="X", code="x")
    assert not Program.objects.filter(code="x").exists()


def test_bad_eligibility_rules_name_every_problem_and_save_nothing(personas: Personas) -> None:
    rules = [
        {"criterion": "shoe_size", "operator": "equals", "value": 9, "label": "x"},
        {"criterion": "age", "operator": "between", "value": [64, 18], "label": "Adults"},
        {"criterion": "county", "operator": "in", "value": ["Kings"], "label": ""},
    ]
    with pytest.raises(ValidationError) as caught:
        services.program_create(
            actor=personas.admin, name="Bad", code="bad", eligibility_rules=rules
        )
    messages = caught.value.message_dict["eligibility_rules"]
    assert len(messages) == 3
    assert "Rule 1" in messages[0] and "shoe_size" in messages[0]
    assert "Rule 2" in messages[1] and "lowest" in messages[1]
    assert "Rule 3" in messages[2] and "label" in messages[2]
    assert not Program.objects.filter(code="bad").exists()


def test_a_duplicate_program_code_is_refused_on_the_field(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.program_create(actor=personas.admin, name="Other", code="hs")
    assert "code" in caught.value.message_dict
    assert not Program.objects.filter(name="Other").exists()


def test_a_stale_program_edit_is_refused(personas: Personas) -> None:
    program = personas.program
    services.program_update(
        actor=personas.admin, program=program, expected_version=1, description="first"
    )
    with pytest.raises(ConflictError) as caught:
        services.program_update(
            actor=personas.admin, program=program, expected_version=1, description="second"
        )
    assert caught.value.current_version == 2
    program.refresh_from_db()
    assert program.description == "first"


def test_program_update_rejects_fields_it_does_not_know(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.program_update(
            actor=personas.admin, program=personas.program, expected_version=None, organization=1
        )
    assert "organization" in caught.value.message_dict


def test_admin_builds_a_team_and_sets_members(personas: Personas) -> None:
    team = services.team_create(actor=personas.admin, name="East team", program=personas.program)
    services.team_member_set(
        actor=personas.admin, team=team, user=personas.colleague, role="member"
    )
    services.team_member_set(
        actor=personas.admin, team=team, user=personas.colleague, role="supervisor"
    )
    assert TeamMembership.objects.get(team=team, user=personas.colleague).role == "supervisor"
    services.team_member_remove(actor=personas.admin, team=team, user=personas.colleague)
    assert not TeamMembership.objects.filter(team=team).exists()
    actions = list(
        AuditEvent.objects.filter(object_id=str(team.pk)).values_list("action", flat=True)
    )
    assert actions == ["team.create", "team.member_add", "team.member_role", "team.member_remove"]


def test_admin_cannot_add_someone_from_another_organization(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.team_member_set(
            actor=personas.admin, team=personas.team, user=personas.outsider, role="member"
        )
    assert "user" in caught.value.message_dict


def test_supervisors_cannot_change_teams(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.team_member_set(
            actor=personas.supervisor, team=personas.team, user=personas.colleague, role="member"
        )


def test_staff_create_invites_by_email(
    personas: Personas, django_capture_on_commit_callbacks, run_tasks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = services.staff_create(
            actor=personas.admin,
            email="New.Person@Riverside.test",
            first_name="New",
            last_name="Person",
            roles=["case_manager"],
            languages=["en", "ES"],
            expertise_areas=["housing"],
        )
    assert user.email == "new.person@riverside.test"
    assert not user.has_usable_password()
    assert user.staff_profile.languages == ["en", "es"]
    assert mail.outbox == []  # sent by the worker, not inside the request
    run_tasks()
    assert len(mail.outbox) == 1
    assert "/password/set/" in mail.outbox[0].body


def test_staff_create_names_each_bad_field(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.staff_create(
            actor=personas.admin,
            email=personas.case_manager.email.upper(),
            first_name="Dup",
            last_name="Licate",
            roles=["case_manager"],
        )
    assert "email" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.staff_create(
            actor=personas.admin,
            email="x@riverside.test",
            first_name="X",
            last_name="Y",
            roles=["wizard"],
        )
    assert "roles" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.staff_create(
            actor=personas.admin,
            email="y@riverside.test",
            first_name="X",
            last_name="Y",
            roles=["case_manager"],
            languages=["english!"],
        )
    assert "languages" in caught.value.message_dict
    assert not User.objects.filter(email__in=["x@riverside.test", "y@riverside.test"]).exists()


def test_staff_update_is_versioned(personas: Personas) -> None:
    user = personas.colleague
    kwargs = {"first_name": "Colin", "last_name": "League"}
    roles = ["case_manager", "supervisor"]
    services.staff_update(
        actor=personas.admin, user=user, expected_version=1, roles=roles, **kwargs
    )
    assert StaffProfile.objects.get(user=user).roles == ["case_manager", "supervisor"]
    with pytest.raises(ConflictError):
        services.staff_update(
            actor=personas.admin, user=user, expected_version=1, roles=roles, **kwargs
        )


def test_an_admin_cannot_lock_themselves_out(personas: Personas) -> None:
    with pytest.raises(ValidationError):
        services.staff_set_active(actor=personas.admin, user=personas.admin, active=False)
    with pytest.raises(ValidationError):
        services.staff_update(
            actor=personas.admin,
            user=personas.admin,
            expected_version=None,
            first_name="Ada",
            last_name="Min",
            roles=["case_manager"],
        )


def test_deactivating_staff_revokes_their_tokens(personas: Personas) -> None:
    token, _ = services.api_token_create(actor=personas.colleague, name="script")
    services.staff_set_active(actor=personas.admin, user=personas.colleague, active=False)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_admin_of_another_organization_cannot_touch_our_staff(personas: Personas) -> None:
    from tests.factories import UserFactory

    other_admin = UserFactory(organization=personas.other_agency, roles=["agency_admin"])
    with pytest.raises(PermissionDenied):
        services.staff_set_active(actor=other_admin, user=personas.colleague, active=False)


def test_tokens_are_stored_only_as_a_hash(personas: Personas) -> None:
    token, secret = services.api_token_create(actor=personas.case_manager, name="laptop")
    assert secret.startswith("cw_")
    assert secret not in token.token_hash
    assert token.token_hash == token.hash(secret)


def test_a_token_cannot_expire_in_the_past(personas: Personas) -> None:
    from django.utils import timezone

    with pytest.raises(ValidationError) as caught:
        services.api_token_create(
            actor=personas.case_manager, name="old", expires_at=timezone.now()
        )
    assert "expires_at" in caught.value.message_dict
