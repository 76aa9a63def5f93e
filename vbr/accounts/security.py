"""The Security page (set up or remove an authenticator app, backup codes), the sign-in code
page, and another admin's reset of a member's two-factor sign-in."""

from __future__ import annotations

from base64 import b32encode
from typing import Any, cast

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from vbr.accounts import recovery
from vbr.accounts.access import ADMIN, provider_view
from vbr.accounts.models import Membership, User
from vbr.accounts.twofactor import (
    HAS_DEVICE,
    MUST_SET_UP,
    OPTIONAL,
    SESSION_KEY,
    must_use_two_factor,
    safe_next,
    two_factor_state,
)

DEVICE_NAME = "Authenticator app"
# New backup codes wait here for the page that shows them, once.
NEW_CODES_SESSION_KEY = "vbr_new_backup_codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from your authenticator app",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )

    def __init__(self, *args: object, device: TOTPDevice | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.device = device

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("The code is 6 digits, numbers only.")
        if self.device is None or not self.device.verify_token(code):
            raise forms.ValidationError(
                "That code did not match. Check the time on your phone and use the newest code."
            )
        return cast(str, code)


class SignInCodeForm(forms.Form):
    """The second step of signing in: the app's code, or one of the backup codes."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user
        self.device: Device | None = None

    def clean_code(self) -> str:
        typed = self.cleaned_data["code"].strip()
        digits = typed.replace(" ", "")
        if digits.isdigit() and len(digits) == 6:
            app = TOTPDevice.objects.devices_for_user(self.user, confirmed=True).first()
            if app is not None and app.verify_token(digits):
                self.device = app
                return str(typed)
        else:
            self.device = recovery.use_backup_code(user=self.user, typed=typed)
            if self.device is not None:
                return str(typed)
        raise forms.ValidationError(
            "That code did not match. Check the time on your phone and use the newest code, "
            "or type one of your backup codes."
        )


def _qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, title="QR code for your authenticator app", border=2
    )


@require_http_methods(["GET", "POST"])
@login_required
def account_security(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code, then type a code to prove it works."""
    user = cast(User, request.user)  # login_required
    confirmed = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    required = must_use_two_factor(user)
    if confirmed is not None:
        # Whether this session gave a code: this page is open before the code is given (to
        # set up), so nothing here that could stand in for the code may happen without it.
        verified = cast(Any, user).is_verified()
        action = request.POST.get("action") if request.method == "POST" else None
        if action == "backup_codes":
            if not verified:
                messages.error(request, "Enter your sign-in code first, then make new codes.")
                return redirect("two-factor-verify")
            request.session[NEW_CODES_SESSION_KEY] = recovery.make_backup_codes(user=user)
            messages.success(
                request, "Your new backup codes are below. The old ones no longer work."
            )
            return redirect("account-security")
        form = CodeForm(request.POST if action == "remove" else None, device=confirmed)
        if action == "remove":
            if required:
                messages.error(request, "Two-factor sign-in is required for your role.")
                return redirect("account-security")
            if form.is_valid():
                with transaction.atomic():
                    recovery.remove_two_factor(user=user)
                request.session[SESSION_KEY] = OPTIONAL
                messages.success(request, "Two-factor sign-in is turned off.")
                return redirect("account-security")
        return render(
            request,
            "accounts/security.html",
            {
                "confirmed": True,
                "required": required,
                "form": form,
                "verified": verified,
                "new_codes": request.session.pop(NEW_CODES_SESSION_KEY, None),
                "codes_left": recovery.backup_codes_left(user),
            },
        )

    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST if request.method == "POST" else None, device=device)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = recovery.make_backup_codes(user=user)
        otp_login(request, device)
        request.session[SESSION_KEY] = HAS_DEVICE
        request.session[NEW_CODES_SESSION_KEY] = codes
        messages.success(
            request,
            "Two-factor sign-in is set up. We will ask for a code each time you sign in. "
            "Keep your backup codes below somewhere safe.",
        )
        return redirect("account-security")
    return render(
        request,
        "accounts/security.html",
        {
            "confirmed": False,
            "required": required,
            "must_set_up": request.session.get(SESSION_KEY) == MUST_SET_UP,
            "form": form,
            "qr_svg": _qr_svg(device),
            # Apps take the key in base32, in groups of four for typing by hand.
            "secret": " ".join(
                b32encode(device.bin_key).decode().rstrip("=")[i : i + 4] for i in range(0, 32, 4)
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in for people with an authenticator app."""
    user = cast(User, request.user)  # login_required
    if not user_has_device(user, confirmed=True):
        # Nothing to give a code for (an admin reset two-factor sign-in meanwhile): what this
        # session owes is worked out again, and the person sent on (or to set up).
        request.session[SESSION_KEY] = two_factor_state(user)
        return redirect(safe_next(request))
    form = SignInCodeForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        assert form.device is not None  # a valid form found the device
        otp_login(request, form.device)
        if isinstance(form.device, StaticDevice):
            left = recovery.backup_codes_left(user)
            messages.warning(
                request,
                f"You signed in with a backup code. {left} left: make new ones on your "
                "Security page if you are running out.",
            )
        return redirect(safe_next(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@require_http_methods(["GET", "POST"])
@provider_view(ADMIN)
def two_factor_reset(
    request: HttpRequest, membership: Membership, membership_id: int
) -> HttpResponse:
    """Another admin resets a member's two-factor sign-in when they have lost their phone:
    what it means first, then the reset, in the audit trail."""
    member = get_object_or_404(
        membership.provider.memberships.select_related("user", "provider"), pk=membership_id
    )
    refusal = recovery.reset_refusal(admin=membership, member=member)
    has_two_factor = recovery.has_two_factor(member.user)
    if request.method == "POST" and has_two_factor and not refusal:
        recovery.reset_by_admin(admin=membership, member=member)
        messages.success(
            request,
            f"{member.user.display_name}'s two-factor sign-in is reset. They set it up again "
            "the next time they sign in.",
        )
        return redirect("people-list", membership.provider.slug)
    return render(
        request,
        "accounts/two_factor_reset.html",
        {"member": member, "refusal": refusal, "has_two_factor": has_two_factor},
    )
