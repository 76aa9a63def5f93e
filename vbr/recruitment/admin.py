from typing import Any

from django.contrib import admin

from vbr.recruitment.models import (
    Application,
    Assessment,
    BankItem,
    Candidate,
    CoreValue,
    Criterion,
    Decision,
    Indicator,
    NationalValue,
    Outcome,
    Panellist,
    Role,
    Score,
    Scorecard,
    Stage,
    ValueSet,
)


class IndicatorInline(admin.TabularInline[Indicator, Any]):
    model = Indicator
    extra = 0


@admin.register(CoreValue)
class CoreValueAdmin(admin.ModelAdmin[CoreValue]):
    list_display = ("name", "provider", "order", "retired_at")
    list_filter = ("provider",)
    list_select_related = ("provider",)
    search_fields = ("name",)
    inlines = [IndicatorInline]


class StageInline(admin.TabularInline[Stage, Any]):
    model = Stage
    extra = 0


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ("title", "provider", "is_open", "created_at")
    list_filter = ("is_open", "provider")
    list_select_related = ("provider",)
    search_fields = ("title",)
    inlines = [StageInline]


class CriterionInline(admin.StackedInline[Criterion, Any]):
    model = Criterion
    extra = 0
    raw_id_fields = ("core_value",)


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin[Stage]):
    list_display = ("name", "role", "kind", "order", "criteria_version")
    list_filter = ("kind",)
    list_select_related = ("role", "role__provider")
    search_fields = ("name", "role__title")
    inlines = [CriterionInline]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin[Criterion]):
    list_display = ("prompt", "stage", "core_value", "version", "essential")
    list_select_related = ("stage", "stage__role", "core_value")
    raw_id_fields = ("stage", "core_value")
    search_fields = ("prompt",)


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin[Candidate]):
    list_display = ("last_name", "first_name", "provider", "created_at", "anonymised_at")
    list_select_related = ("provider",)
    list_filter = ("provider",)
    search_fields = ("first_name", "last_name", "email")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin[Application]):
    list_display = ("candidate", "role", "current_stage", "status", "applied_at")
    list_filter = ("status",)
    list_select_related = ("candidate", "role", "current_stage", "provider")
    raw_id_fields = ("candidate", "role", "current_stage", "provider")
    search_fields = ("candidate__last_name", "role__title")


class PanellistInline(admin.TabularInline[Panellist, Any]):
    model = Panellist
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin[Assessment]):
    list_display = ("application", "stage", "scheduled_at", "status")
    list_filter = ("status",)
    list_select_related = ("application__candidate", "application__role", "stage")
    raw_id_fields = ("application", "stage")
    inlines = [PanellistInline]


class ScoreInline(admin.TabularInline[Score, Any]):
    model = Score
    extra = 0
    raw_id_fields = ("criterion",)


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin[Scorecard]):
    list_display = ("panellist", "assessment", "recommendation", "submitted_at")
    list_select_related = (
        "panellist__user",
        "assessment__stage",
        "assessment__application__candidate",
    )
    raw_id_fields = ("assessment", "panellist", "entered_by")
    inlines = [ScoreInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin[Decision]):
    list_display = ("application", "kind", "decided_by", "decided_at")
    list_filter = ("kind",)
    list_select_related = ("application__candidate", "application__role", "decided_by")
    raw_id_fields = ("application", "stage", "decided_by")


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin[Outcome]):
    list_display = ("application", "start_date", "probation", "left_on")
    list_filter = ("probation",)
    list_select_related = ("application__candidate", "application__role")
    raw_id_fields = ("application",)


class NationalValueInline(admin.StackedInline[NationalValue, Any]):
    model = NationalValue
    extra = 0
    # A published version does not change: a new one comes from the fixtures folder.
    readonly_fields = ("name", "description", "order", "positive_indicators", "negative_indicators")
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ValueSet)
class ValueSetAdmin(admin.ModelAdmin[ValueSet]):
    """Loaded by `manage.py load_value_sets`; shown here, not edited."""

    list_display = ("name", "version", "slug", "loaded_at")
    readonly_fields = ("slug", "name", "version", "source", "description", "order", "loaded_at")
    inlines = [NationalValueInline]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(BankItem)
class BankItemAdmin(admin.ModelAdmin[BankItem]):
    list_display = ("title", "kind", "national_value", "provider", "core_value")
    list_filter = ("kind", "national_value__value_set")
    list_select_related = ("national_value__value_set", "provider", "core_value")
    search_fields = ("title", "prompt")
    raw_id_fields = ("provider", "national_value", "core_value")
