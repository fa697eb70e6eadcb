"""Assessments over REST: the same service and the same access rules as the web form.

POST answers 201 when it records an assessment and 200, with the same body, when the
client key (required) was seen before: a client may retry as often as it likes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from trellis.assessments.access import get_rating_for
from trellis.assessments.capture.selectors import (
    assessments_about,
    assessments_by,
    capture_forms,
    current_version,
)
from trellis.assessments.capture.services import (
    MAX_COMMENT_CHARS,
    AssessmentRefused,
    CommentInput,
    RatingInput,
    assessment_submit,
)
from trellis.assessments.models import Assessment
from trellis.frameworks.models import Item
from trellis.lib.bounds import MAX_ID
from trellis.people.access import viewer
from trellis.people.models import Program


class RatingSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The framework item's id."
    )
    code = serializers.CharField(read_only=True)
    level = serializers.DecimalField(
        max_digits=3, decimal_places=1, allow_null=True, required=False
    )
    not_observed = serializers.BooleanField(default=False)


class CommentSerializer(serializers.Serializer[Any]):
    prompt_key = serializers.CharField(max_length=40)
    text = serializers.CharField(max_length=MAX_COMMENT_CHARS)


class AssessmentInSerializer(serializers.Serializer[Any]):
    program = serializers.SlugField(help_text="The program's slug.")
    form = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The form's id; its current version is used."
    )
    subject = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The learner's user id."
    )
    observed_on = serializers.DateField()
    client_key = serializers.CharField(
        max_length=64, help_text="Your id for this submission: a retry with it writes nothing."
    )
    draft = serializers.BooleanField(default=False)
    ratings = RatingSerializer(many=True)
    comments = CommentSerializer(many=True, required=False, default=list)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # "context" is the Serializer's own attribute, so this field is added here.
        fields = super().get_fields()
        fields["context"] = serializers.CharField(
            max_length=255, required=False, default="", help_text="Setting, case, complexity."
        )
        return fields


class AssessmentOutSerializer(serializers.ModelSerializer[Assessment]):
    program: serializers.SlugRelatedField[Program] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    form = serializers.IntegerField(source="form_version.form_id", read_only=True)
    form_title = serializers.CharField(source="form_version.form.title", read_only=True)
    form_version = serializers.IntegerField(source="form_version.number", read_only=True)
    assessor = serializers.SerializerMethodField()
    ratings = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "program",
            "form",
            "form_title",
            "form_version",
            "subject",
            "assessor",
            "assessor_role",
            "observed_on",
            "context",
            "status",
            "client_key",
            "submitted_at",
            "editable_until",
            "ratings",
            "comments",
        ]

    def get_assessor(self, obj: Assessment) -> str:
        if obj.form_version.form.anonymous:
            return ""
        return obj.assessor.display_name if obj.assessor else obj.assessor_name

    def get_ratings(self, obj: Assessment) -> list[dict[str, Any]]:
        return [
            {
                "item": r.item_id,
                "code": r.item.code,
                "level": None if r.level is None else str(r.level),
                "not_observed": r.not_observed,
            }
            for r in obj.ratings.all()
        ]

    def get_comments(self, obj: Assessment) -> list[dict[str, str]]:
        return [{"prompt_key": c.prompt_key, "text": c.text} for c in obj.comments.all()]


def _listed(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return qs.select_related("form_version__form", "program", "assessor").prefetch_related(
        "ratings__item", "comments"
    )


class AssessmentList(generics.ListCreateAPIView[Assessment]):
    serializer_class = AssessmentOutSerializer
    parser_classes = [JSONParser]  # ratings and comments are lists of objects: JSON only

    @extend_schema(
        parameters=[
            OpenApiParameter("subject", str, enum=["me"], description="Assessments of you."),
            OpenApiParameter("assessor", str, enum=["me"], description="Ones you wrote."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Assessment]:
        user = viewer(self.request)
        if self.request.query_params.get("assessor") == "me":
            return _listed(assessments_by(assessor=user)).order_by("-id")
        if self.request.query_params.get("subject", "me") == "me":
            return _listed(assessments_about(subject=user)).order_by("-id")
        raise serializers.ValidationError({"subject": "Only subject=me or assessor=me."})

    @extend_schema(
        request=AssessmentInSerializer,
        responses={
            201: AssessmentOutSerializer,
            200: OpenApiResponse(
                AssessmentOutSerializer,
                description="A retry: this client key was seen before; nothing new written.",
            ),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data_in = AssessmentInSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        d = data_in.validated_data
        ra = get_rating_for(viewer(request), d["program"], d["subject"])
        if request.data.get("assessor_role", ra.assessor_role) != ra.assessor_role:
            raise serializers.ValidationError(
                {"assessor_role": "Trellis sets the assessor role from who you are: omit it."}
            )
        form = next((f for f in capture_forms(program=ra.program) if f.pk == d["form"]), None)
        if form is None:
            raise serializers.ValidationError({"form": "No such form in this program."})
        items = Item.objects.in_bulk([r["item"] for r in d["ratings"]])
        missing = [r["item"] for r in d["ratings"] if r["item"] not in items]
        if missing:
            raise serializers.ValidationError({"ratings": f"No such item: {missing[0]}."})
        try:
            result = assessment_submit(
                program=ra.program,
                form_version=current_version(form),
                subject=ra.subject,
                assessor=ra.user,
                assessor_role=ra.assessor_role,
                observed_on=d["observed_on"],
                ratings=[
                    RatingInput(items[r["item"]], r.get("level"), r["not_observed"])
                    for r in d["ratings"]
                ],
                comments=[CommentInput(c["prompt_key"], c["text"]) for c in d["comments"]],
                acting_user=ra.user,
                client_key=d["client_key"],
                request=ra.request if ra.request and ra.request.form_id == form.pk else None,
                assignment=ra.assignment,
                context=d["context"],
                source="api",
                draft=d["draft"],
            )
        except AssessmentRefused as refused:
            return Response({"errors": refused.problems}, status=status.HTTP_400_BAD_REQUEST)
        assessment = _listed(Assessment.objects.filter(pk=result.assessment.pk)).get()
        return Response(
            AssessmentOutSerializer(assessment).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
