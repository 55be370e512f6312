from django.urls import path

from . import views

urlpatterns = [
    path("clients/<int:pk>/restriction/", views.client_restriction, name="client-restriction"),
    path("clients/<int:pk>/emergency-access/", views.break_glass, name="client-break-glass"),
    path(
        "clients/<int:pk>/emergency-access/end/",
        views.break_glass_end,
        name="client-break-glass-end",
    ),
    path("clients/<int:pk>/access-report/", views.access_report, name="client-access-report"),
    path("privacy/access-report/", views.access_report_lookup, name="access-report-lookup"),
]
