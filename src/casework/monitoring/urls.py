from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/new/", views.task_new, name="task-new"),
    path("cases/<int:case_id>/tasks/new/", views.task_new, name="case-task-new"),
    path("tasks/<int:pk>/", views.task_edit, name="task-edit"),
    path("tasks/<int:pk>/<str:action>/", views.task_status, name="task-status"),
    path("appointments/", views.appointment_list, name="appointment-list"),
    path("appointments/new/", views.appointment_new, name="appointment-new"),
    path(
        "cases/<int:case_id>/appointments/new/",
        views.appointment_new,
        name="case-appointment-new",
    ),
    path("appointments/<int:pk>/", views.appointment_edit, name="appointment-edit"),
    path("appointments/<int:pk>/status/", views.appointment_status, name="appointment-status"),
    path("alerts/", views.alert_list, name="alert-list"),
    path("alerts/<int:pk>/dismiss/", views.alert_dismiss, name="alert-dismiss"),
    path("cases/<int:case_id>/flags/", views.case_flags, name="case-flags"),
    path("account/calendar/", views.calendar_settings, name="account-calendar"),
    path("calendar/<str:secret>.ics", views.calendar_feed, name="calendar-feed"),
]
