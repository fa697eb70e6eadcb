"""What the API returns and accepts. Read-only views of frameworks and programs; the
import request; the error list an import refusal carries."""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from trellis.frameworks.io import FORMATS
from trellis.frameworks.models import (
    Adoption,
    Framework,
    Item,
    ItemKind,
    LevelDescriptor,
    Scale,
    ScaleKind,
)
from trellis.people.models import Institution, Membership, Program, ProgramKind, Role

EXPORT_FORMATS = list(FORMATS)


def _enum_field(choices: type[models.TextChoices], component: str) -> serializers.ChoiceField:
    """A read-only choice field whose values appear in the schema as their own named enum.
    Several models have a `kind`; without a name of its own each would collide."""
    schema = {"type": "string", "enum": list(choices.values)}
    field_class = type(f"{component}Field", (serializers.ChoiceField,), {})
    field_class = extend_schema_field(schema, component_name=component)(field_class)
    return field_class(choices=choices.choices, read_only=True)


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file sent as multipart form data (binary in the schema, not a URL)."""


class InstitutionSerializer(serializers.ModelSerializer[Institution]):
    class Meta:
        model = Institution
        fields = ["slug", "name"]
        read_only_fields = fields


class ScaleSerializer(serializers.ModelSerializer[Scale]):
    kind = _enum_field(ScaleKind, "ScaleKind")

    class Meta:
        model = Scale
        fields = ["slug", "name", "kind", "allows_half_levels"]
        read_only_fields = fields


class FrameworkSerializer(serializers.ModelSerializer[Framework]):
    scale = ScaleSerializer(read_only=True, allow_null=True)
    institution = InstitutionSerializer(
        read_only=True, allow_null=True, help_text="Null for the shipped catalogue."
    )

    class Meta:
        model = Framework
        fields = [
            "slug",
            "identifier",
            "title",
            "version",
            "creator",
            "publisher",
            "description",
            "language",
            "developmental",
            "scale",
            "institution",
            "last_change",
            "created_at",
        ]
        read_only_fields = fields


class LevelDescriptorSerializer(serializers.ModelSerializer[LevelDescriptor]):
    class Meta:
        model = LevelDescriptor
        fields = ["identifier", "level", "label", "text"]
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer[Item]):
    # Declared fields shadow Field.parent / Serializer.errors only for mypy: DRF's metaclass
    # takes them off the class.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.identifier",
        allow_null=True,
        read_only=True,
        help_text="The parent item's identifier; null for a top-level item.",
    )
    descriptors = LevelDescriptorSerializer(many=True, read_only=True)
    kind = _enum_field(ItemKind, "ItemKind")

    class Meta:
        model = Item
        fields = ["identifier", "code", "name", "statement", "kind", "parent", "descriptors"]
        read_only_fields = fields


class FrameworkDetailSerializer(FrameworkSerializer):
    items = ItemSerializer(
        many=True, read_only=True, help_text="Every item, parents before children, flat."
    )

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "items"]
        read_only_fields = fields


class FrameworkImportSerializer(serializers.Serializer[Any]):
    file = UploadField(
        help_text=(
            "A framework as CSV, a CASE JSON package or MedBiquitous Competency Framework XML."
        )
    )
    format = serializers.ChoiceField(
        choices=EXPORT_FORMATS,
        required=False,
        help_text="Read the file as this format; guessed from its name and content if left out.",
    )
    institution = serializers.SlugField(
        required=False,
        help_text="The institution to import into; needed only by people who manage "
        "programs of several.",
    )
    slug = serializers.SlugField(
        required=False, help_text="The new framework's slug; made from its title if left out."
    )


class ImportProblemSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(allow_null=True, help_text="Line of the file, if known.")
    field = serializers.CharField(allow_null=True, help_text="Column or field, if known.")
    message = serializers.CharField()


class ImportErrorsSerializer(serializers.Serializer[Any]):
    errors = ImportProblemSerializer(many=True)  # type: ignore[assignment]


class ExportQuerySerializer(serializers.Serializer[Any]):
    format = serializers.ChoiceField(choices=EXPORT_FORMATS, default="csv")


class ProgramSerializer(serializers.ModelSerializer[Program]):
    institution = InstitutionSerializer(read_only=True)
    kind = _enum_field(ProgramKind, "ProgramKind")

    class Meta:
        model = Program
        fields = ["slug", "name", "kind", "specialty", "length_years", "institution"]
        read_only_fields = fields


class AdoptionSerializer(serializers.ModelSerializer[Adoption]):
    slug = serializers.CharField(source="framework.slug", read_only=True)
    title = serializers.CharField(source="framework.title", read_only=True)
    version = serializers.CharField(source="framework.version", read_only=True)

    class Meta:
        model = Adoption
        fields = ["slug", "title", "version", "graduation_level", "adopted_at"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer[Membership]):
    name = serializers.CharField(source="person.display_name", read_only=True)
    email = serializers.EmailField(source="person.email", read_only=True)
    role = _enum_field(Role, "Role")

    class Meta:
        model = Membership
        fields = ["name", "email", "role", "training_year", "start_date", "end_date"]
        read_only_fields = fields


class ProgramDetailSerializer(ProgramSerializer):
    """A program with its adopted frameworks and, given `members` in the context, its
    current members. Without them (a learner asking) the key is left out."""

    frameworks = AdoptionSerializer(source="adoptions", many=True, read_only=True)
    members = MemberSerializer(
        many=True,
        required=False,
        help_text="Current members; present only for those who may see them (not learners).",
    )

    class Meta(ProgramSerializer.Meta):
        fields = [*ProgramSerializer.Meta.fields, "frameworks", "members"]
        read_only_fields = [f for f in fields if f != "members"]

    def to_representation(self, instance: Program) -> dict[str, Any]:
        # Program has no `members` attribute, so the optional field is skipped here...
        data: dict[str, Any] = super().to_representation(instance)
        members = self.context.get("members")
        if members is not None:  # ...and filled from the context when the viewer may see it
            data["members"] = MemberSerializer(members, many=True).data
        return data
