from django.urls import URLPattern, URLResolver, path

from . import views

# Names start with "client-" so the navigation marks the Clients section.
urlpatterns: list[URLPattern | URLResolver] = [
    path("clients/<int:client_id>/consents/", views.consent_list, name="client-consents"),
    path("clients/<int:client_id>/consents/new/", views.consent_new, name="client-consent-new"),
    path("clients/<int:client_id>/share/", views.share, name="client-share"),
    path(
        "clients/<int:client_id>/disclosures/",
        views.disclosure_report,
        name="client-disclosure-report",
    ),
    path("consents/<int:pk>/", views.consent_detail, name="client-consent"),
    path("consents/<int:pk>/revoke/", views.consent_revoke, name="client-consent-revoke"),
    path("consents/<int:pk>/document/", views.consent_document, name="client-consent-document"),
    path("consents/<int:pk>/form/", views.consent_print, name="client-consent-print"),
    path("disclosures/<int:pk>/", views.disclosure_detail, name="client-disclosure"),
    path("shared-with-us/", views.shared_with_us, name="shared-with-us"),
    path("shared-with-us/<int:pk>/", views.shared_detail, name="shared-with-us-detail"),
]
