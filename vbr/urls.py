from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from vbr.accounts import audit_views, security
from vbr.accounts import views as account_views
from vbr.compliance import urls as compliance_urls
from vbr.reports import views as report_views

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
    path("join/", account_views.join, name="join"),
    path("join/ended/", account_views.join_unusable, name="join-unusable"),
    path("join/signed-out/", account_views.join_signed_out, name="join-signed-out"),
    path("join/<str:token>/", account_views.join_link, name="join-link"),
    path("me/working-with-me/", account_views.access_profile, name="access-profile"),
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
    path("p/<slug:provider_slug>/reports/", include("vbr.reports.urls")),
    path("p/<slug:provider_slug>/", include("vbr.compliance.urls")),
    path("p/<slug:provider_slug>/pa/", include("vbr.pa.urls")),
    path("reference/", include(compliance_urls.referee_urlpatterns)),
    path("equality/<str:key>/", report_views.equality_form, name="equality-form"),
    # Vacancies and applying: public, no sign-in.
    path("jobs/<slug:provider_slug>/", include("vbr.applicants.urls")),
    path("p/<slug:provider_slug>/", include("vbr.applicants.staff_urls")),
    path("p/<slug:provider_slug>/", include("vbr.involvement.urls")),
    path("application/", include("vbr.applicants.candidate_urls")),
]

# A database lost outside a view (a middleware reading the signed-in user) is a 503 too.
handler500 = "vbr.accounts.resilience.server_error"
