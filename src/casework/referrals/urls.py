from django.urls import URLPattern, URLResolver, path

from . import views

# Names start with "case-" so the navigation marks the Cases section.
urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<int:case_id>/referrals/", views.case_referrals, name="case-referrals"),
    path("cases/<int:case_id>/referrals/new/", views.referral_new, name="case-referral-new"),
    path(
        "cases/<int:case_id>/referrals/consent/",
        views.consent_panel,
        name="case-referral-consent",
    ),
    path("referrals/<int:pk>/", views.referral_detail, name="case-referral"),
    path("referrals/<int:pk>/edit/", views.referral_edit, name="case-referral-edit"),
    path("referrals/<int:pk>/send/", views.referral_send, name="case-referral-send"),
    path("referrals/<int:pk>/record/", views.referral_record, name="case-referral-record"),
    path("referrals/<int:pk>/close/", views.referral_close, name="case-referral-close"),
    path("referrals/<int:pk>/cancel/", views.referral_cancel, name="case-referral-cancel"),
    path("referrals/<int:pk>/links/", views.referral_link_new, name="case-referral-link-new"),
    path(
        "referral-links/<int:pk>/revoke/",
        views.referral_link_revoke,
        name="case-referral-link-revoke",
    ),
]
