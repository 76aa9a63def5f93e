from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from vbr.accounts import recovery
from vbr.accounts.models import AuditEvent, Membership, Provider, User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Profile", {"fields": ("full_name",)}))
    list_display = ("username", "full_name", "email", "is_staff", "is_active")
    search_fields = ("username", "full_name", "email")
    actions = ["reset_two_factor"]

    @admin.action(
        description="Reset two-factor sign-in (they set it up again when they next sign in)",
        permissions=["change"],
    )
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """For someone who lost the phone with their authenticator app and has no backup
        codes left; in the audit trail of each provider they belong to."""
        operator = request.user
        assert isinstance(operator, User)  # the admin site needs a signed-in staff user
        reset = 0
        for user in queryset:
            if recovery.has_two_factor(user):
                recovery.reset_by_operator(user=user, operator=operator)
                reset += 1
        if reset:
            self.message_user(
                request,
                f"Two-factor sign-in reset for {reset} {'person' if reset == 1 else 'people'}.",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, "None of them had two-factor sign-in set up.", messages.WARNING
            )


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
