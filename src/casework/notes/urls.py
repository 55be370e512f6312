from django.urls import URLPattern, URLResolver, path

from . import views

# Names start with "case-" or "manage-program" so the navigation marks the right section.
urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<int:case_id>/notes/", views.case_notes, name="case-notes"),
    path("cases/<int:case_id>/notes/new/", views.note_new, name="case-note-new"),
    path("cases/<int:case_id>/notes/save/", views.note_save, name="case-note-save"),
    path("cases/<int:case_id>/notes/autosave/", views.note_autosave, name="case-note-autosave"),
    path("notes/<int:pk>/", views.note_detail, name="case-note"),
    path("notes/<int:pk>/edit/", views.note_edit, name="case-note-edit"),
    path("notes/<int:pk>/sign/", views.note_sign, name="case-note-sign"),
    path("notes/<int:pk>/addenda/", views.note_addendum, name="case-note-addendum"),
    path("notes/<int:pk>/attachments/", views.note_attach, name="case-note-attach"),
    path(
        "notes/attachments/<int:pk>/",
        views.attachment_download,
        name="case-note-attachment",
    ),
    path("manage/note-formats/", views.note_settings_list, name="manage-program-note-formats"),
    path(
        "manage/note-formats/<int:program_id>/",
        views.note_settings_edit,
        name="manage-program-note-format",
    ),
]
