from django.urls import URLPattern, URLResolver, path

from . import letter, receiving

# "partner-" names: a partner agency's pages; the secure link has no section of its own.
urlpatterns: list[URLPattern | URLResolver] = [
    path("partner/referrals/", receiving.partner_inbox, name="partner-referrals"),
    path("partner/referrals/<int:pk>/", receiving.partner_detail, name="partner-referral"),
    path("r/<str:token>/", receiving.link_view, name="referral-link"),
    path("referrals/<int:pk>/letter/", letter.letter_html, name="referral-letter"),
    path("referrals/<int:pk>/letter.pdf", letter.letter_pdf, name="referral-letter-pdf"),
]
