from django.urls import include, path

from casework.api import api
from casework.core.admin_site import admin_site

urlpatterns = [
    path("", include("casework.core.auth_urls")),
    path("", include("casework.site.urls")),
    path("", include("casework.core.urls")),
    path("", include("casework.clients.urls")),
    path("", include("casework.intake.urls")),
    path("", include("casework.assessments.urls")),
    path("", include("casework.plans.urls")),
    path("", include("casework.notes.urls")),
    path("", include("casework.monitoring.urls")),
    path("", include("casework.confidentiality.urls")),
    path("", include("casework.consent.urls")),
    path("", include("casework.resources.urls")),
    path("", include("casework.resources.urls_imports")),
    path("", include("casework.referrals.urls")),
    path("", include("casework.referrals.urls_receiving")),
    path("api/v1/", api.urls),
    path("django-admin/", admin_site.urls),
]

handler400 = "casework.core.views.bad_request"
handler403 = "casework.core.views.permission_denied"
handler404 = "casework.site.views.page_not_found"
handler500 = "casework.core.views.server_error"
