from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from vbr.accounts.models import Membership, Provider, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Profile", {"fields": ("full_name",)}))
    list_display = ("username", "full_name", "email", "is_staff", "is_active")
    search_fields = ("username", "full_name", "email")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "nation", "retention_months")
    list_filter = ("kind", "nation")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "provider", "role", "is_expert_by_experience")
    list_filter = ("role", "is_expert_by_experience")
    list_select_related = ("user", "provider")
    search_fields = ("user__username", "user__full_name", "provider__name")
    autocomplete_fields = ("user", "provider")
