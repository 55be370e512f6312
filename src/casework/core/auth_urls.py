from django.urls import path

from . import auth_views

urlpatterns = [
    path("sign-in/", auth_views.sign_in, name="sign-in"),
    path("sign-in/code/", auth_views.sign_in_code, name="sign-in-code"),
    path("sign-out/", auth_views.sign_out, name="sign-out"),
    path("password/reset/", auth_views.password_reset, name="password-reset"),
    path("password/reset/sent/", auth_views.password_reset_done, name="password-reset-done"),
    path(
        "password/set/<uidb64>/<token>/",
        auth_views.PasswordResetConfirm.as_view(),
        name="password-reset-confirm",
    ),
    path("password/set/done/", auth_views.password_reset_complete, name="password-reset-complete"),
    path("account/", auth_views.account, name="account"),
    path("account/password/", auth_views.password_change, name="password-change"),
    path("account/tokens/", auth_views.token_create, name="token-create"),
    path("account/tokens/<int:pk>/revoke/", auth_views.token_revoke, name="token-revoke"),
    path("account/two-factor/", auth_views.two_factor_setup, name="two-factor-setup"),
    path("account/two-factor/disable/", auth_views.two_factor_disable, name="two-factor-disable"),
]
