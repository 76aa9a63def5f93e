"""The Security page (set up or remove an authenticator app) and the sign-in code page."""

from __future__ import annotations

from base64 import b32encode
from typing import cast

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from vbr.accounts.models import User
from vbr.accounts.twofactor import (
    HAS_DEVICE,
    MUST_SET_UP,
    OPTIONAL,
    SESSION_KEY,
    must_use_two_factor,
    safe_next,
)

DEVICE_NAME = "Authenticator app"


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
        form = CodeForm(request.POST if request.method == "POST" else None, device=confirmed)
        if request.method == "POST" and request.POST.get("action") == "remove":
            if required:
                messages.error(request, "Two-factor sign-in is required for your role.")
                return redirect("account-security")
            if form.is_valid():
                with transaction.atomic():
                    TOTPDevice.objects.filter(user=user).delete()
                request.session[SESSION_KEY] = OPTIONAL
                messages.success(request, "Two-factor sign-in is turned off.")
                return redirect("account-security")
        return render(
            request,
            "accounts/security.html",
            {"confirmed": True, "required": required, "form": form},
        )

    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST if request.method == "POST" else None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        request.session[SESSION_KEY] = HAS_DEVICE
        messages.success(
            request, "Two-factor sign-in is set up. We will ask for a code each time you sign in."
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
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
    if device is None:
        return redirect(safe_next(request))
    form = CodeForm(request.POST if request.method == "POST" else None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        return redirect(safe_next(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )
