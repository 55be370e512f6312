from django.urls import URLPattern, URLResolver, path

from . import views

# Names start with "case-" or "manage-program" so the navigation marks the right section.
urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<int:case_id>/assessments/", views.case_assessments, name="case-assessments"),
    path(
        "cases/<int:case_id>/assessments/start/",
        views.assessment_start,
        name="case-assessment-start",
    ),
    path(
        "cases/<int:case_id>/assessments/other-professionals/new/",
        views.external_new,
        name="case-external-assessment-new",
    ),
    path("assessments/<int:pk>/", views.assessment_detail, name="case-assessment"),
    path("assessments/<int:pk>/save/", views.assessment_save, name="case-assessment-save"),
    path(
        "assessments/<int:pk>/complete/",
        views.assessment_complete,
        name="case-assessment-complete",
    ),
    path("assessments/<int:pk>/sign/", views.assessment_sign, name="case-assessment-sign"),
    path(
        "assessments/other-professionals/<int:pk>/report/",
        views.external_report,
        name="case-external-assessment-report",
    ),
    path("manage/instruments/", views.instrument_list, name="manage-program-instruments"),
    path(
        "manage/instruments/<int:pk>/draft/",
        views.instrument_draft,
        name="manage-program-instrument-draft",
    ),
    path(
        "manage/instrument-versions/<int:pk>/",
        views.instrument_version,
        name="manage-program-instrument-version",
    ),
    path(
        "manage/instrument-versions/<int:pk>/publish/",
        views.instrument_publish,
        name="manage-program-instrument-publish",
    ),
]
