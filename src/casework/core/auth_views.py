"""Sign-in (with throttling and optional two-factor), sign-out, password links, account."""

from __future__ import annotations

import time
from datetime import datetime
from datetime import time as day_time
from typing import Any, cast

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth import views as django_auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from . import audit, services, signin
from .middleware import client_ip
from .models import ApiToken, User

PENDING_KEY = "casework_two_factor_pending"
PENDING_MAX_AGE_SECONDS = 5 * 60
PENDING_MAX_TRIES = 5


class SignInForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=254)
    password = forms.CharField(
        label=gettext_lazy("Password"), strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Authentication code"),
        max_length=10,
        help_text=gettext_lazy("The 6-digit code from your authenticator app."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _locked_message(throttle: signin.Throttle) -> str:
    until = date_format(timezone.localtime(throttle.until), "TIME_FORMAT") if throttle.until else ""
    if throttle.by_address:
        return _(
            "Too many failed sign-ins from this network. Try again after %(t)s, "
            "or ask your agency admin for help."
        ) % {"t": until}
    return _(
        "Too many failed sign-ins for this account. For your clients' safety it is locked "
        "until %(t)s. If you forgot your password, use the link below to reset it."
    ) % {"t": until}


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        ip = client_ip(request)
        throttle = signin.check(email=email, ip_address=ip)
        if throttle.locked:
            form.add_error(None, _locked_message(throttle))
        else:
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is None:
                known = User.objects.filter(email__iexact=email, is_active=True).first()
                signin.record(email=email, ip_address=ip, user=known, succeeded=False)
                after = signin.check(email=email, ip_address=ip)
                form.add_error(
                    None,
                    _locked_message(after)
                    if after.locked
                    else _("That email and password do not match. Check both and try again."),
                )
            else:
                if user.has_two_factor:
                    request.session[PENDING_KEY] = {
                        "user_id": user.pk,
                        "since": int(time.time()),
                        "tries": 0,
                        "next": _safe_next(request),
                    }
                    return redirect("sign-in-code")
                signin.record(email=email, ip_address=ip, user=user, succeeded=True)
                login(request, user)
                return redirect(_safe_next(request))
    return render(
        request,
        "registration/sign_in.html",
        {"form": form, "next": request.GET.get("next", "")},
    )


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["since"] > PENDING_MAX_AGE_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Please sign in again."))
        return redirect("sign-in")
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("sign-in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        if services.two_factor_verify_code(user, form.cleaned_data["code"]):
            request.session.pop(PENDING_KEY, None)
            signin.record(email=user.email, ip_address=ip, user=user, succeeded=True)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(pending["next"])
        pending["tries"] += 1
        signin.record(email=user.email, ip_address=ip, user=user, succeeded=False)
        if pending["tries"] >= PENDING_MAX_TRIES:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, _("Too many wrong codes. Please sign in again."))
            return redirect("sign-in")
        request.session[PENDING_KEY] = pending
        form.add_error("code", _("That code did not match. Try the newest code in your app."))
    return render(request, "registration/sign_in_code.html", {"form": form})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        user = request.user
        audit.record(action="auth.sign_out", actor=user, target=user)
    logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("sign-in")


# --- password links (reset and invitation) ----------------------------------------------


class PasswordLinkForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=254)


@csrf_protect
@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        throttle = signin.check(email=email, ip_address=client_ip(request))
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is not None and not throttle.by_address:
            services.enqueue_password_link(user=user, base_url=request.build_absolute_uri("/")[:-1])
        # Same answer either way: the page must not reveal who has an account.
        return redirect("password-reset-done")
    return render(request, "registration/password_reset_form.html", {"form": form})


def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/password_reset_done.html")


class CaseworkSetPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit:
            user.locked_until = None
            user.save(update_fields=["locked_until"])
            audit.record(action="auth.password_set", actor=user, target=user)
        return user


class PasswordResetConfirm(django_auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")
    form_class = CaseworkSetPasswordForm


def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/password_reset_complete.html")


# --- the person's own account -----------------------------------------------------------


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=100,
        help_text=gettext_lazy("Where you will use it, e.g. “reporting script”."),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty for no expiry (at most one year is recommended)."),
    )


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _account_context(user: User, **extra: Any) -> dict[str, Any]:
    return {
        "profile_user": user,
        "teams": user.team_memberships.select_related("team__program").order_by("team__name"),
        "tokens": ApiToken.objects.filter(user=user).order_by("-created_at")[:50],
        "token_form": extra.pop("token_form", TokenForm()),
        **extra,
    }


@login_required
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html", _account_context(_user(request)))


@login_required
@never_cache
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TokenForm(request.POST)
    if form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(datetime.combine(expires_on, day_time.max)) if expires_on else None
        )
        try:
            token, secret = services.api_token_create(
                actor=user, name=form.cleaned_data["name"], expires_at=expires_at
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error("expires_on" if field == "expires_at" else field, errors)
        else:
            return render(
                request,
                "accounts/account.html",
                _account_context(user, new_token=token, new_secret=secret),
            )
    return render(
        request, "accounts/account.html", _account_context(user, token_form=form), status=400
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    token = get_object_or_404(ApiToken, pk=pk, user=user)
    services.api_token_revoke(actor=user, token=token)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("account")


@login_required
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    if user.has_two_factor:
        messages.info(request, _("Two-factor sign-in is already on."))
        return redirect("account")
    if not user.totp_secret:
        services.two_factor_begin(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.two_factor_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc.message_dict.get("code", exc.messages))
        else:
            messages.success(
                request, _("Two-factor sign-in is on. You will be asked for a code each time.")
            )
            return redirect("account")
    import pyotp

    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name="Casework")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code to scan")),
            "secret": " ".join(
                user.totp_secret[i : i + 4] for i in range(0, len(user.totp_secret), 4)
            ),
            "required": bool(user.organization and user.organization.require_two_factor),
        },
    )


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        services.two_factor_disable(user=user, code=request.POST.get("code", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("account")


@sensitive_post_parameters()
@login_required
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        audit.record(action="auth.password_changed", actor=user, target=user)
        messages.success(request, _("Your password is changed."))
        return redirect("account")
    return render(request, "accounts/password_change.html", {"form": form})
