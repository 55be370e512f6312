from django.urls import path

from . import views, views_manage

urlpatterns = [
    path("audit/", views.audit_log, name="audit-log"),
    path("manage/", views_manage.manage_home, name="manage-home"),
    path("manage/organization/", views_manage.organization_edit, name="manage-organization"),
    path("manage/programs/", views_manage.program_list, name="manage-programs"),
    path("manage/programs/new/", views_manage.program_new, name="manage-program-new"),
    path("manage/programs/<int:pk>/", views_manage.program_edit, name="manage-program-edit"),
    path("manage/teams/", views_manage.team_list, name="manage-teams"),
    path("manage/teams/new/", views_manage.team_new, name="manage-team-new"),
    path("manage/teams/<int:pk>/", views_manage.team_edit, name="manage-team-edit"),
    path(
        "manage/teams/<int:pk>/members/",
        views_manage.team_member_set,
        name="manage-team-member-set",
    ),
    path(
        "manage/teams/<int:pk>/members/<int:user_pk>/remove/",
        views_manage.team_member_remove,
        name="manage-team-member-remove",
    ),
    path("manage/staff/", views_manage.staff_list, name="manage-staff"),
    path("manage/staff/new/", views_manage.staff_new, name="manage-staff-new"),
    path("manage/staff/<int:pk>/", views_manage.staff_edit, name="manage-staff-edit"),
    path(
        "manage/staff/<int:pk>/active/",
        views_manage.staff_set_active,
        name="manage-staff-active",
    ),
    path(
        "manage/staff/<int:pk>/two-factor/reset/",
        views_manage.staff_reset_two_factor,
        name="manage-staff-reset-two-factor",
    ),
]
