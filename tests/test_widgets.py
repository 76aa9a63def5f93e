"""Widgets drawn in Python must give exactly the markup Django's templates give."""

from __future__ import annotations

import pytest
from django import forms

from vbr.recruitment.forms.widgets import QuickSelect

CHOICES = [
    ("", "Any stage"),
    (1, "Care <assistant>: “Values” & interview"),
    ("Night", [(2, "Night: shadowing"), (3, 'Night: "group"')]),
    (4, "Plain"),
]


@pytest.mark.parametrize("value", [None, "", 1, "3", ["4"]])
@pytest.mark.parametrize(
    "attrs", [None, {"class": "form-select", "id": "id_stage", "disabled": True, "x": False}]
)
def test_quick_select_gives_djangos_markup(value: object, attrs: dict | None) -> None:
    django_html = forms.Select(choices=CHOICES).render("stage", value, attrs)
    quick_html = QuickSelect(choices=CHOICES).render("stage", value, attrs)
    assert quick_html == django_html
    assert "&lt;assistant&gt;" in quick_html


def test_quick_select_inside_a_form_with_an_error_keeps_the_chosen_value() -> None:
    class Form(forms.Form):
        stage = forms.ChoiceField(choices=CHOICES, widget=QuickSelect, required=False)

    class DjangoForm(forms.Form):
        stage = forms.ChoiceField(choices=CHOICES, required=False)

    assert str(Form({"stage": "99"})["stage"]) == str(DjangoForm({"stage": "99"})["stage"])
    assert str(Form({"stage": "2"})["stage"]) == str(DjangoForm({"stage": "2"})["stage"])
