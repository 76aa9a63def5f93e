from django.contrib import admin

from vbr.privacy.models import Consent, DbsCheck, PrivacySettings


@admin.register(PrivacySettings)
class PrivacySettingsAdmin(admin.ModelAdmin[PrivacySettings]):
    list_display = ("provider", "keep_dbs_certificates", "updated_at")
    list_select_related = ("provider",)


@admin.register(DbsCheck)
class DbsCheckAdmin(admin.ModelAdmin[DbsCheck]):
    """No file field here: certificate copies go out only through the checked view."""

    list_display = ("pk", "provider", "application_id", "level", "decision", "seen_on")
    list_filter = ("level", "decision")
    list_select_related = ("provider",)
    fields = ("provider", "application", "certificate_number", "issued_on", "level", "decision")
    raw_id_fields = ("application",)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin[Consent]):
    list_display = ("pk", "provider", "kind", "given_at", "withdrawn_at")
    list_filter = ("kind",)
    list_select_related = ("provider",)
    raw_id_fields = ("user", "assessment", "recorded_by")
