from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("intake/", views.intake_queue, name="intake-queue"),
    path("intake/applications/new/", views.application_new, name="intake-application-new"),
    path("intake/applications/<int:pk>/", views.application_detail, name="intake-application"),
    path(
        "intake/applications/<int:pk>/screening/",
        views.application_screening,
        name="intake-screening",
    ),
    path(
        "intake/applications/<int:pk>/waitlist/",
        views.application_waitlist,
        name="intake-waitlist",
    ),
    path("intake/applications/<int:pk>/accept/", views.application_accept, name="intake-accept"),
    path("intake/applications/<int:pk>/decline/", views.application_decline, name="intake-decline"),
    path(
        "intake/applications/<int:pk>/documents/",
        views.document_upload,
        name="intake-document-upload",
    ),
    path("intake/documents/<int:pk>/", views.document_download, name="intake-document"),
]
