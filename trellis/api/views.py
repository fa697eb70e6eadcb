"""REST endpoints: thin wrappers that check access and call the apps' selectors and services.

Read endpoints go through the same access helpers as the web pages, so an outsider gets
404 here too; the framework import goes through `framework_import`, the one entry point
the web page and the command line use as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from trellis.api.access import get_import_institution_for
from trellis.api.serializers import (
    EXPORT_FORMATS,
    ExportQuerySerializer,
    FrameworkDetailSerializer,
    FrameworkImportSerializer,
    FrameworkSerializer,
    ImportErrorsSerializer,
    ProgramDetailSerializer,
    ProgramSerializer,
)
from trellis.frameworks.access import get_framework_for
from trellis.frameworks.models import Adoption, Framework
from trellis.frameworks.selectors import framework_items, frameworks_visible
from trellis.frameworks.services import FrameworkImportError, framework_export, framework_import
from trellis.people.access import get_program_for, viewer
from trellis.people.models import Program
from trellis.people.selectors import program_members, programs_visible

# Uploads bigger than this are refused before parsing; the largest real CASE package we
# know (a full specialty milestone set) is a few megabytes.
MAX_IMPORT_BYTES = 25 * 1024 * 1024

EXPORT_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "case": "application/json",
    "medbiq": "application/xml",
}
EXPORT_SUFFIXES = {"csv": "csv", "case": "case.json", "medbiq": "medbiq.xml"}


def _refused(*problems: dict[str, Any]) -> Response:
    """A 400 in the shape an import refusal has: every problem, by line and field."""
    errors = [{"line": None, "field": None, **p} for p in problems]
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)


def _with_items(framework: Framework) -> Framework:
    items = framework_items(framework=framework).prefetch_related("descriptors")
    prefetch_related_objects([framework], "institution", Prefetch("items", queryset=items))
    return framework


class FrameworkList(generics.ListAPIView[Framework]):
    serializer_class = FrameworkSerializer

    def get_queryset(self) -> QuerySet[Framework]:
        return (
            frameworks_visible(user=viewer(self.request))
            .select_related("scale", "institution")
            .order_by("title", "version", "id")
        )


class FrameworkDetail(generics.RetrieveAPIView[Framework]):
    serializer_class = FrameworkDetailSerializer
    lookup_field = "slug"

    def get_object(self) -> Framework:
        return _with_items(get_framework_for(viewer(self.request), self.kwargs["slug"]))


class _FileNegotiation(BaseContentNegotiation):
    """The export answers a file whose type `?format=` chooses (not DRF's renderer
    override), whatever the Accept header says; only its refusals are rendered, as JSON."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class FrameworkExport(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _FileNegotiation

    @extend_schema(
        operation_id="frameworks_export",
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=EXPORT_FORMATS,
                default="csv",
                description=(
                    "`csv` (one row per item), `case` (a 1EdTech CASE JSON package) or "
                    "`medbiq` (MedBiquitous Competency Framework XML)."
                ),
            )
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/json"): OpenApiTypes.BINARY,
            (200, "application/xml"): OpenApiTypes.BINARY,
            400: ImportErrorsSerializer,
        },
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        framework = get_framework_for(viewer(request), slug)
        query = ExportQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return _refused(
                *({"field": "format", "message": str(m)} for m in query.errors["format"])
            )
        fmt: str = query.validated_data["format"]
        content = framework_export(framework=framework, format=fmt)
        response = HttpResponse(content, content_type=EXPORT_CONTENT_TYPES[fmt])
        filename = f"{framework.slug}.{EXPORT_SUFFIXES[fmt]}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class FrameworkImport(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="frameworks_import",
        request={"multipart/form-data": FrameworkImportSerializer},
        responses={
            201: FrameworkDetailSerializer,
            400: OpenApiResponse(
                ImportErrorsSerializer, description="The file was refused; nothing was written."
            ),
            403: OpenApiResponse(description="You manage no program of the institution."),
            404: OpenApiResponse(description="No such institution (for you)."),
        },
    )
    def post(self, request: Request) -> Response:
        user = viewer(request)
        form = FrameworkImportSerializer(data=request.data)
        if not form.is_valid():
            return _refused(
                *({"field": f, "message": str(m)} for f, ms in form.errors.items() for m in ms)
            )
        data = form.validated_data
        try:
            institution = get_import_institution_for(user, data.get("institution"))
        except ValueError as exc:
            return _refused({"field": "institution", "message": str(exc)})
        upload = data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            message = f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB"
            return _refused({"field": "file", "message": message})
        try:
            framework = framework_import(
                content=upload.read(),
                filename=upload.name or "",
                institution=institution,
                acting_user=user,
                format=data.get("format"),
                slug=data.get("slug"),
            )
        except FrameworkImportError as exc:
            return _refused(
                *({"line": p.line, "field": p.field, "message": p.message} for p in exc.problems)
            )
        body = FrameworkDetailSerializer(_with_items(framework)).data
        return Response(body, status=status.HTTP_201_CREATED)


class ProgramList(generics.ListAPIView[Program]):
    serializer_class = ProgramSerializer

    def get_queryset(self) -> QuerySet[Program]:
        return programs_visible(person=viewer(self.request)).order_by(
            "institution__name", "name", "id"
        )


class ProgramDetail(generics.RetrieveAPIView[Program]):
    serializer_class = ProgramDetailSerializer
    lookup_field = "slug"

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        access = get_program_for(viewer(request), kwargs["slug"])
        program = access.program
        # The frameworks it uses now; those it moved on from through a crosswalk are history.
        current = Adoption.objects.current().select_related("framework")
        prefetch_related_objects([program], Prefetch("adoptions", queryset=current))
        members = program_members(program=program) if access.can_see_members else None
        serializer = ProgramDetailSerializer(program, context={"members": members})
        return Response(serializer.data)
