from django.urls import path

from . import views

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("clients/", views.client_list, name="client-list"),
    path("clients/new/", views.client_register, name="client-register"),
    path("clients/<int:pk>/", views.client_detail, name="client-detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client-edit"),
    path("clients/<int:pk>/merge/", views.client_merge, name="client-merge"),
    path(
        "clients/<int:pk>/<slug:section>/<slug:kind>/add/",
        views.client_section_add,
        name="client-section-add",
    ),
    path(
        "clients/<int:pk>/<slug:section>/<slug:kind>/<int:item>/remove/",
        views.client_section_remove,
        name="client-section-remove",
    ),
    path(
        "clients/<int:pk>/household/relationship/<int:item>/edit/",
        views.relationship_edit,
        name="client-relationship-edit",
    ),
    path("clients/merges/<int:merge_id>/undo/", views.client_unmerge, name="client-unmerge"),
]
