"""Typed input for the educators' pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from trellis.frameworks.models import MILESTONE_LEVELS, Item
from trellis.people.models import Program, User
from trellis.plans.models import Plan, ShareScope

LEVEL_CHOICES = [(f"{v:g}", f"{v:g}") for v in MILESTONE_LEVELS]


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Item) -> str:
        return f"{obj.code} {obj.name}"


class PlanForm(forms.Form):
    item = ItemChoiceField(queryset=Item.objects.none(), label="Subcompetency")
    current_level = forms.TypedChoiceField(
        choices=LEVEL_CHOICES, coerce=Decimal, label="Where I am now"
    )
    target_level = forms.TypedChoiceField(
        choices=LEVEL_CHOICES, coerce=Decimal, label="The next level I aim for"
    )
    actions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What I will do")
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="What will show that I moved",
    )
    check_in_1 = forms.DateField(
        required=False, label="First check-in", widget=forms.DateInput(attrs={"type": "date"})
    )
    check_in_2 = forms.DateField(
        required=False, label="Second check-in", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, items: list[Item], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Item.objects.filter(pk__in=[i.pk for i in items]).order_by("position")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        cur, tgt = data.get("current_level"), data.get("target_level")
        if isinstance(cur, Decimal) and isinstance(tgt, Decimal) and tgt <= cur:
            self.add_error("target_level", "Aim above where you are now.")
        return data


class ShareForm(forms.Form):
    what = forms.ChoiceField(label="What to share")
    audience = forms.ChoiceField(label="With whom")

    def __init__(
        self,
        *args: object,
        plans: list[Plan],
        people: list[User],
        offices: list[Program],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        scopes = [
            (ShareScope.SELF_ASSESSMENTS.value, "My self-assessments"),
            (ShareScope.PEER_ASSESSMENTS.value, "Peer observations of my teaching"),
            (ShareScope.PORTFOLIO.value, "My whole portfolio (all of the above and every plan)"),
        ]
        what = self.fields["what"]
        assert isinstance(what, forms.ChoiceField)
        what.choices = scopes + [
            (f"plan:{p.pk}", f"Plan: {p.item.code} {p.item.name}") for p in plans
        ]
        audience = self.fields["audience"]
        assert isinstance(audience, forms.ChoiceField)
        audience.choices = [
            (f"office:{o.pk}", f"{o.name} (anonymous totals of 5 or more only)") for o in offices
        ] + [(f"user:{u.pk}", u.display_name) for u in people]
        self._plans = {p.pk: p for p in plans}
        self._people = {u.pk: u for u in people}
        self._offices = {o.pk: o for o in offices}

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        what, audience = str(data.get("what", "")), str(data.get("audience", ""))
        if what.startswith("plan:"):
            data["scope"], data["plan"] = ShareScope.PLAN, self._plans[int(what[5:])]
        else:
            data["scope"], data["plan"] = ShareScope(what or ShareScope.PORTFOLIO), None
        kind, _, pk = audience.partition(":")
        data["grantee"] = self._people.get(int(pk)) if kind == "user" and pk else None
        data["office"] = self._offices.get(int(pk)) if kind == "office" and pk else None
        if data["office"] is not None and data["scope"] != ShareScope.SELF_ASSESSMENTS:
            self.add_error("what", "An office counts only self-assessments, into anonymous totals.")
        return data
