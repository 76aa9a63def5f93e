from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from vbr.accounts import audit_views, security
from vbr.accounts import views as account_views

if settings.VBR_REQUIRE_ADMIN_2FA:
    # The Django admin is the operator's: it asks for a verified two-factor code as well.
    admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", account_views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("p/<slug:provider_slug>/", include("vbr.recruitment.urls")),
    path("admin/", admin.site.urls),
    path("accounts/security/", security.account_security, name="account-security"),
    path("accounts/verify/", security.two_factor_verify, name="two-factor-verify"),
    path("p/<slug:provider_slug>/audit/", audit_views.audit_list, name="audit-list"),
    path(
        "p/<slug:provider_slug>/applications/<int:application_id>/audit/",
        audit_views.application_audit,
        name="application-audit",
    ),
    path("p/<slug:provider_slug>/", include("vbr.privacy.urls")),
]
