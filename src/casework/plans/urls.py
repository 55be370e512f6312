from django.urls import URLPattern, URLResolver, path

from . import views

# Names start with "case-" so the navigation marks the Cases section; the approval
# queue is the supervisors' own entry.
urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<int:case_id>/plan/", views.case_plan, name="case-plan"),
    path("cases/<int:case_id>/plan/start/", views.plan_start, name="case-plan-start"),
    path("cases/<int:case_id>/plan/versions/", views.plan_versions, name="case-plan-versions"),
    path("plans/approvals/", views.plan_approvals, name="plan-approvals"),
    path("plans/<int:pk>/panel/", views.plan_panel, name="case-plan-panel"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="case-plan-edit"),
    path(
        "plans/<int:pk>/participation/",
        views.plan_participation,
        name="case-plan-participation",
    ),
    path("plans/<int:pk>/submit/", views.plan_submit, name="case-plan-submit"),
    path("plans/<int:pk>/decide/", views.plan_decide, name="case-plan-decide"),
    path("plans/<int:pk>/revise/", views.plan_revise, name="case-plan-revise"),
    path("plans/<int:pk>/review/", views.plan_review, name="case-plan-review"),
    path("plans/<int:pk>/print/", views.plan_print, name="case-plan-print"),
    path("plans/<int:pk>/goals/new/", views.goal_new, name="case-plan-goal-new"),
    path("plan-goals/<int:pk>/edit/", views.goal_edit, name="case-plan-goal-edit"),
    path("plan-goals/<int:pk>/remove/", views.goal_remove, name="case-plan-goal-remove"),
    path(
        "plan-goals/<int:pk>/objectives/new/",
        views.objective_new,
        name="case-plan-objective-new",
    ),
    path("plan-goals/<int:pk>/steps/new/", views.step_new, name="case-plan-step-new"),
    path("plan-objectives/<int:pk>/edit/", views.objective_edit, name="case-plan-objective-edit"),
    path(
        "plan-objectives/<int:pk>/progress/",
        views.objective_progress,
        name="case-plan-objective-progress",
    ),
    path(
        "plan-objectives/<int:pk>/remove/",
        views.objective_remove,
        name="case-plan-objective-remove",
    ),
    path("plan-steps/<int:pk>/edit/", views.step_edit, name="case-plan-step-edit"),
    path("plan-steps/<int:pk>/remove/", views.step_remove, name="case-plan-step-remove"),
]
