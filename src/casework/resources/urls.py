from django.urls import URLPattern, URLResolver, path

from . import views

# Names start with "directory-" so the navigation marks the Directory section.
urlpatterns: list[URLPattern | URLResolver] = [
    path("directory/", views.directory_search, name="directory-search"),
    path("directory/services/<int:pk>/", views.service_detail, name="directory-service"),
    path(
        "directory/services/<int:pk>/verify/", views.service_verify, name="directory-service-verify"
    ),
    path(
        "directory/services/<int:pk>/settings/",
        views.service_settings,
        name="directory-service-settings",
    ),
    path("directory/providers/<int:pk>/", views.provider_detail, name="directory-provider"),
    path(
        "directory/providers/<int:pk>/notes/",
        views.provider_note_add,
        name="directory-provider-note-add",
    ),
    path(
        "directory/notes/<int:pk>/archive/",
        views.provider_note_archive,
        name="directory-note-archive",
    ),
    path("cases/<int:case_id>/match/", views.case_match, name="directory-match"),
]
