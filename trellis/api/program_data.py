"""A program's data over REST, for what users script: the schedule (read and import), the
curriculum map, a learner's record summary, the committee's levels, logs and plans.

Each endpoint asks the same access helper as its web page and calls the same selector or
service, so the API can neither show nor change more than the pages do: an outsider gets
404, a member without the right 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from trellis.api.pagination import whole_number
from trellis.api.serializers import UploadField
from trellis.assessments.access_program import get_assess_for, get_learner_logs_for
from trellis.assessments.models import LogEntry
from trellis.committees.access import get_committee_for
from trellis.committees.models import CommitteeLevel, CycleStatus, ReviewCycle
from trellis.curriculum.access import get_curriculum_for
from trellis.curriculum.models import Activity, Mapping
from trellis.lib.bounds import MAX_ID
from trellis.people.access import viewer
from trellis.people.models import User
from trellis.plans.models import Plan
from trellis.plans.selectors import plans_of
from trellis.records.access import get_learner_for as get_record_learner_for
from trellis.records.access import get_records_for
from trellis.records.record import learner_record
from trellis.scheduling.access import get_learner_for, get_schedule_for
from trellis.scheduling.importer import schedule_import
from trellis.scheduling.models import AcademicYear, Assignment
from trellis.scheduling.selectors import academic_year_pick, year_assignments

MAX_SCHEDULE_BYTES = 5 * 1024 * 1024


def _id(request: Request, name: str) -> int | None:
    """A query parameter that names a row, or a 400."""
    raw = request.query_params.get(name)
    return None if raw is None else whole_number(raw, name=name, low=1, high=MAX_ID)


# --- schedule ---------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer[Assignment]):
    learner_name = serializers.CharField(source="learner.display_name", read_only=True)
    rotation = serializers.CharField(source="rotation.activity.code", read_only=True)
    rotation_title = serializers.CharField(source="rotation.activity.title", read_only=True)
    site = serializers.CharField(source="site.code", read_only=True)
    supervisors = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "learner",
            "learner_name",
            "rotation",
            "rotation_title",
            "site",
            "start_date",
            "end_date",
            "supervisors",
        ]

    def get_supervisors(self, obj: Assignment) -> list[int]:
        return sorted(s.pk for s in obj.supervisors.all())


def _year(program: Any, request: Request) -> AcademicYear | None:
    name = request.query_params.get("year")
    year = academic_year_pick(program=program, name=name)
    if name and year is None:
        raise Http404("No such academic year")
    return year


class ScheduleList(generics.ListAPIView[Assignment]):
    """The program's assignments in an academic year (the current one unless `year` names
    another): every learner's for program staff, one learner's for whoever may see that
    learner's schedule (`learner=me` for your own)."""

    serializer_class = AssignmentSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("year", str, description="The academic year's name."),
            OpenApiParameter("learner", str, description="A learner's id, or `me`."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Assignment]:
        user = viewer(self.request)
        schedule = get_schedule_for(user, self.kwargs["slug"])
        year = _year(schedule.program, self.request)
        if self.request.query_params.get("learner") == "me":
            learner: User | None = get_learner_for(schedule, user.pk)
        else:
            learner_id = _id(self.request, "learner")
            learner = None if learner_id is None else get_learner_for(schedule, learner_id)
        if learner is None:
            schedule.require_see_all()
        if year is None:
            return Assignment.objects.none()
        rows = year_assignments(year=year)
        if learner is not None:
            rows = rows.filter(learner=learner)
        return rows.order_by("learner__last_name", "learner__first_name", "start_date", "id")


class ScheduleImportSerializer(serializers.Serializer[Any]):
    file = UploadField(help_text="A schedule file (.csv or .xlsx), as the import page takes.")
    year = serializers.CharField(
        max_length=60, required=False, help_text="The academic year's name (default: current)."
    )
    dry_run = serializers.BooleanField(default=False, help_text="Check only; write nothing.")


class ScheduleImportResultSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())


class ScheduleImport(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ScheduleImportSerializer},
        responses={200: ScheduleImportResultSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        """Import a schedule: all of it or, with any problem, none of it; a refused file
        answers 400 with `{"errors": [{"line", "field", "message"}, ...]}`, every problem by
        line and column. For the program's coordinators and directors."""
        schedule = get_schedule_for(viewer(request), slug)
        schedule.require_edit()
        data_in = ScheduleImportSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        upload = data_in.validated_data["file"]
        if upload.size > MAX_SCHEDULE_BYTES:
            raise serializers.ValidationError({"file": ["The file is larger than 5 MB."]})
        year = academic_year_pick(program=schedule.program, name=data_in.validated_data.get("year"))
        if year is None:
            raise serializers.ValidationError({"year": ["No such academic year."]})
        result = schedule_import(
            program=schedule.program,
            year=year,
            filename=upload.name,
            data=upload.read(),
            acting_user=schedule.user,
            dry_run=data_in.validated_data["dry_run"],
        )
        if not result.ok:
            errors = [
                {"line": p.line, "field": p.column or None, "message": p.message}
                for p in result.problems
            ]
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        body = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "dry_run": result.dry_run,
            "warnings": [
                f"{w.learner.display_name}: {w.weeks} week(s) with no assignment"
                for w in result.warnings
            ],
        }
        return Response(body)


# --- curriculum map ---------------------------------------------------------------------


class MappingSerializer(serializers.ModelSerializer[Mapping]):
    code = serializers.CharField(source="item.code", read_only=True)
    framework = serializers.CharField(source="item.framework.slug", read_only=True)
    objective = serializers.CharField(source="objective.code", read_only=True, allow_null=True)

    class Meta:
        model = Mapping
        fields = ["item", "code", "framework", "emphasis", "assessment_method", "objective"]


class ActivitySerializer(serializers.ModelSerializer[Activity]):
    mappings = MappingSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "code",
            "title",
            "kind",
            "parent",
            "training_year",
            "duration_hours",
            "duration_weeks",
            "required",
            "instructional_method",
            "mappings",
        ]


class CurriculumList(generics.ListAPIView[Activity]):
    """The program's curriculum map: each activity with what it introduces (I), reinforces
    (R) and assesses (A). For every member of the program."""

    serializer_class = ActivitySerializer

    def get_queryset(self) -> QuerySet[Activity]:
        access = get_curriculum_for(viewer(self.request), self.kwargs["slug"])
        mappings = Mapping.objects.select_related("item__framework", "objective").order_by(
            "item__framework__title", "item__position", "emphasis", "id"
        )
        return (
            Activity.objects.filter(program=access.program)
            .prefetch_related(Prefetch("mappings", queryset=mappings))
            .order_by("position", "code", "id")
        )


# --- a learner's record, the committee's levels -----------------------------------------


class RecordItemSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    framework = serializers.CharField()
    kind = serializers.CharField()
    observations = serializers.IntegerField()
    latest_level = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    expected_level = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    entrustment_reached = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    committee_level = serializers.DecimalField(
        max_digits=3,
        decimal_places=1,
        allow_null=True,
        help_text="The latest signed-off committee level; null for a supervisor.",
    )


class RecordSummarySerializer(serializers.Serializer[Any]):
    learner = serializers.IntegerField()
    learner_name = serializers.CharField()
    program = serializers.CharField()
    items = RecordItemSerializer(many=True)


class LearnerRecordSummary(APIView):
    @extend_schema(responses={200: RecordSummarySerializer})
    def get(self, request: Request, slug: str, learner_id: int) -> Response:
        """A learner's record as the record page shows it, per subcompetency and EPA:
        observations, latest and expected level, entrustment reached and the committee's
        latest signed-off level (left out for a supervisor, as on the page)."""
        access = get_records_for(viewer(request), slug)
        person = get_record_learner_for(access, learner_id)
        full = access.sees_decisions(person)
        record = learner_record(
            program=access.program, learner=person, full=full, with_comments=False
        )
        items = []
        for ev in record.evidence.items:
            committee = record.committee.levels.get(ev.item.pk, {})
            latest = next(
                (
                    committee[p.key]
                    for p in reversed(record.committee.periods)
                    if p.key in committee
                ),
                None,
            )
            items.append(
                {
                    "item": ev.item.pk,
                    "code": ev.item.code,
                    "name": ev.item.name,
                    "framework": ev.item.framework.slug,
                    "kind": ev.item.kind,
                    "observations": ev.count,
                    "latest_level": ev.latest_level,
                    "expected_level": ev.expected_level,
                    "entrustment_reached": ev.entrustment_reached,
                    "committee_level": latest,
                }
            )
        body = {
            "learner": person.pk,
            "learner_name": person.display_name,
            "program": access.program.slug,
            "items": items,
        }
        return Response(RecordSummarySerializer(body).data)


class CommitteeLevelSerializer(serializers.ModelSerializer[CommitteeLevel]):
    learner = serializers.IntegerField(source="review.learner_id", read_only=True)
    learner_name = serializers.CharField(source="review.learner.display_name", read_only=True)
    training_year = serializers.IntegerField(
        source="review.training_year", read_only=True, allow_null=True
    )
    cycle = serializers.CharField(source="review.cycle.name", read_only=True)
    code = serializers.CharField(source="item.code", read_only=True)
    framework = serializers.CharField(source="item.framework.slug", read_only=True)

    class Meta:
        model = CommitteeLevel
        fields = [
            "cycle",
            "learner",
            "learner_name",
            "training_year",
            "item",
            "code",
            "framework",
            "level",
            "not_yet_assessable",
        ]


class CommitteeLevelList(generics.ListAPIView[CommitteeLevel]):
    """The committee's final levels in a signed-off review cycle (the latest unless
    `cycle` names one), corrections applied. For the committee, director and coordinator."""

    serializer_class = CommitteeLevelSerializer

    @extend_schema(parameters=[OpenApiParameter("cycle", str, description="The cycle's name.")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[CommitteeLevel]:
        committee = get_committee_for(viewer(self.request), self.kwargs["slug"])
        cycles = ReviewCycle.objects.filter(
            program=committee.program, status=CycleStatus.SIGNED_OFF
        )
        name = self.request.query_params.get("cycle")
        cycle = (
            cycles.filter(name=name).first()
            if name
            else cycles.order_by("-period_end", "-signed_off_at", "-id").first()
        )
        if cycle is None:
            if name:
                raise Http404("No signed-off cycle of that name")
            return CommitteeLevel.objects.none()
        return (
            CommitteeLevel.objects.filter(
                review__cycle=cycle,
                superseded_by__isnull=True,
                item__framework__developmental=False,
            )
            .select_related("review__learner", "review__cycle", "item__framework")
            .order_by("review__learner__last_name", "review__learner_id", "item__position", "id")
        )


# --- logs and plans ---------------------------------------------------------------------


class LogEntrySerializer(serializers.ModelSerializer[LogEntry]):
    log_type = serializers.CharField(source="log_type.name", read_only=True)
    kind = serializers.CharField(source="log_type.kind", read_only=True)
    verified = serializers.SerializerMethodField()

    class Meta:
        model = LogEntry
        fields = [
            "id",
            "learner",
            "log_type",
            "kind",
            "performed_on",
            "role",
            "supervisor",
            "notes",
            "verified",
            "verified_at",
        ]

    def get_verified(self, obj: LogEntry) -> bool:
        return obj.verified_at is not None


class LogList(generics.ListAPIView[LogEntry]):
    """A learner's case and procedure log (`learner`: an id, or `me`): for the learner,
    the program's staff and those who may be asked to verify an entry."""

    serializer_class = LogEntrySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("learner", str, required=True, description="A learner's id, or me.")
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[LogEntry]:
        access = get_assess_for(self.request, self.kwargs["slug"])
        if self.request.query_params.get("learner") == "me":
            learner_id: int | None = access.user.pk
        else:
            learner_id = _id(self.request, "learner")
        if learner_id is None:
            raise serializers.ValidationError({"learner": ["A learner's id, or me."]})
        learner = get_learner_logs_for(access, learner_id)
        return (
            LogEntry.objects.filter(program=access.program, learner=learner)
            .select_related("log_type")
            .order_by("-performed_on", "-id")
        )


class PlanSerializer(serializers.ModelSerializer[Plan]):
    program = serializers.CharField(source="program.slug", read_only=True)
    code = serializers.CharField(source="item.code", read_only=True)
    framework = serializers.CharField(source="item.framework.slug", read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "program",
            "item",
            "code",
            "framework",
            "current_level",
            "target_level",
            "actions",
            "evidence",
            "status",
            "created_at",
            "closed_at",
        ]


class PlanList(generics.ListAPIView[Plan]):
    """Your own learning or development plans, newest first."""

    serializer_class = PlanSerializer

    def get_queryset(self) -> QuerySet[Plan]:
        return (
            plans_of(owner=viewer(self.request))
            .select_related("program", "item__framework")
            .order_by("-created_at", "-id")
        )
