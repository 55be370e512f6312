from django.urls import URLPattern, URLResolver, path

from . import views_imports

urlpatterns: list[URLPattern | URLResolver] = [
    path("directory/imports/", views_imports.imports, name="directory-imports"),
    path("directory/imports/<int:pk>/", views_imports.import_detail, name="directory-import"),
    path(
        "directory/imports/<int:pk>/progress/",
        views_imports.import_progress,
        name="directory-import-progress",
    ),
    path("directory/export/<str:format>/", views_imports.export, name="directory-export"),
]
