from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from vbr.accounts.models import AuditEvent, Membership, Provider, User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Profile", {"fields": ("full_name",)}))
    list_display = ("username", "full_name", "email", "is_staff", "is_active")
    search_fields = ("username", "full_name", "email")


class MembershipInline(admin.TabularInline[Membership, Any]):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin[Provider]):
    list_display = ("name", "slug", "kind", "nation", "retention_months")
    list_filter = ("kind", "nation")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("user", "provider", "role", "is_expert_by_experience")
    list_filter = ("role", "is_expert_by_experience")
    list_select_related = ("user", "provider")
    search_fields = ("user__username", "user__full_name", "provider__name")
    autocomplete_fields = ("user", "provider")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the trail is append-only, even for the operator."""

    list_display = ("created_at", "provider", "actor", "action", "subject_type", "subject_id")
    list_filter = ("action",)
    list_select_related = ("provider", "actor")
    search_fields = ("summary",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
