"""The 1EdTech CASE 1.1 REST service, read-only, under /ims/case/v1p1/.

Every object is cut from the framework's CASE package as `frameworks.io.case_export`
writes it (the same bytes as the file export), so a package fetched here imports back
into Trellis unchanged. Which frameworks a caller gets is `frameworks_published`: the
shipped catalogue to anyone, an institution's own frameworks to its members (signed in,
or with an API token: `Authorization: Bearer trl_...`).

Responses are `application/json`. A failure is a CASE `imsx_StatusInfo` with codeMajor
`failure`: 404 `unknownobject` for an identifier this caller cannot see, 400
`invalid_selection_field` / `invalid_sort_field` for a query CFDocuments cannot take, 401
`unauthorisedrequest` for a bad token. Where two versions of a framework share one
identifier, the one imported last answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from trellis.api.authentication import HashedTokenAuthentication
from trellis.api.errors import not_found as api_not_found
from trellis.frameworks.io.case_export import case_document, case_export
from trellis.frameworks.models import Association, Framework, Item
from trellis.frameworks.selectors import frameworks_published
from trellis.people.models import User

PREFIX = "/ims/case/"
Package = dict[str, Any]
DOCUMENT_SORTS = {"title", "version", "lastChangeDateTime", "creator", "identifier"}
MAX_LIMIT = 1000


class CaseFailure(Exception):
    def __init__(self, status: int, minor: str, description: str, field: str = "sourcedId"):
        super().__init__(description)
        self.status, self.minor, self.field = status, minor, field


def status_info(failure: CaseFailure) -> JsonResponse:
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": str(failure),
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": failure.field,
                    "imsx_codeMinorFieldValue": failure.minor,
                }
            ]
        },
    }
    return JsonResponse(body, status=failure.status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's 404: a CASE status for a path under the service, else the API's or the
    page's own."""
    if request.path.startswith(PREFIX):
        return status_info(CaseFailure(404, "unknownobject", "No such CASE endpoint", "path"))
    return api_not_found(request, exception)


def _caller(request: HttpRequest) -> User | None:
    """The signed-in person, by API token or session; None for an anonymous caller."""
    try:
        found = HashedTokenAuthentication().authenticate(Request(request))
    except AuthenticationFailed as exc:
        raise CaseFailure(401, "unauthorisedrequest", str(exc.detail), "Authorization") from exc
    if found is not None:
        return found[0]
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _package(framework: Framework) -> Package:
    data: Package = json.loads(case_export(framework=framework))
    return data


def _unknown(kind: str, sourced_id: str) -> CaseFailure:
    return CaseFailure(404, "unknownobject", f"No {kind} with the identifier {sourced_id}")


def case_view(
    answer: Callable[[HttpRequest, User | None, str], Any],
) -> Callable[..., HttpResponse]:
    """A GET endpoint: `answer(request, caller, sourcedId)` gives the body, or raises a
    CaseFailure."""

    @require_GET
    def view(request: HttpRequest, sourced_id: str = "") -> HttpResponse:
        try:
            body = answer(request, _caller(request), sourced_id)
        except CaseFailure as failure:
            return status_info(failure)
        if isinstance(body, HttpResponse):
            return body
        return JsonResponse(body, json_dumps_params={"ensure_ascii": False})

    view.__name__ = answer.__name__
    view.__doc__ = answer.__doc__
    return view


def _framework(caller: User | None, sourced_id: str) -> Framework:
    framework = (
        frameworks_published(user=caller).filter(identifier=sourced_id).order_by("-pk").first()
    )
    if framework is None:
        raise _unknown("CFDocument", sourced_id)
    return framework


def _documents(caller: User | None) -> Iterator[Package]:
    for framework in frameworks_published(user=caller).select_related("scale").order_by("pk"):
        yield case_document(framework=framework)


def _limit_offset(request: HttpRequest) -> tuple[int, int]:
    def number(name: str, default: int, least: int) -> int:
        raw = request.GET.get(name, str(default))
        if not raw.isdigit() or int(raw) < least:
            raise CaseFailure(
                400, "invalid_selection_field", f"{name} must be a whole number >= {least}", name
            )
        return min(int(raw), MAX_LIMIT) if name == "limit" else int(raw)

    return number("limit", 100, 1), number("offset", 0, 0)


def cf_documents(request: HttpRequest, caller: User | None, _: str) -> Any:
    """All the CFDocuments this caller may read: limit, offset, sort and orderBy, fields."""
    for unsupported in ("filter",):
        if unsupported in request.GET:
            raise CaseFailure(
                400, "invalid_selection_field", "filter is not supported", unsupported
            )
    limit, offset = _limit_offset(request)
    documents = list(_documents(caller))
    sort = request.GET.get("sort")
    if sort is not None:
        if sort not in DOCUMENT_SORTS:
            raise CaseFailure(400, "invalid_sort_field", f"Cannot sort by {sort!r}", "sort")
        order = request.GET.get("orderBy", "asc")
        if order not in ("asc", "desc"):
            raise CaseFailure(400, "invalid_sort_field", "orderBy is asc or desc", "orderBy")
        documents.sort(key=lambda d: str(d.get(sort, "")), reverse=order == "desc")
    if "fields" in request.GET:
        wanted = {f.strip() for f in request.GET["fields"].split(",") if f.strip()}
        documents = [{k: v for k, v in d.items() if k in wanted} for d in documents]
    page = documents[offset : offset + limit]
    if not page:
        raise CaseFailure(404, "unknownobject", "No CFDocuments here")
    response = JsonResponse({"CFDocuments": page}, json_dumps_params={"ensure_ascii": False})
    response["X-Total-Count"] = str(len(documents))
    return response


def cf_document(request: HttpRequest, caller: User | None, sourced_id: str) -> Any:
    return case_document(framework=_framework(caller, sourced_id))


def cf_package(request: HttpRequest, caller: User | None, sourced_id: str) -> Any:
    """The whole framework, exactly as `trellis frameworks export --format case` writes it."""
    framework = _framework(caller, sourced_id)
    return HttpResponse(case_export(framework=framework), content_type="application/json")


def _item(caller: User | None, sourced_id: str) -> tuple[Item, Package]:
    item = (
        Item.objects.filter(identifier=sourced_id, framework__in=frameworks_published(user=caller))
        .select_related("framework")
        .order_by("-framework_id")
        .first()
    )
    if item is None:
        raise _unknown("CFItem", sourced_id)
    return item, _package(item.framework)


def _pick(entries: list[Package], sourced_id: str, kind: str) -> Package:
    found = next((e for e in entries if e.get("identifier") == sourced_id), None)
    if found is None:
        raise _unknown(kind, sourced_id)
    return found


def cf_item(request: HttpRequest, caller: User | None, sourced_id: str) -> Any:
    _, package = _item(caller, sourced_id)
    return _pick(package["CFItems"], sourced_id, "CFItem")


def cf_item_associations(request: HttpRequest, caller: User | None, sourced_id: str) -> Any:
    """The item and every association that starts or ends at it."""
    _, package = _item(caller, sourced_id)

    def touches(association: Package) -> bool:
        ends = (association.get("originNodeURI"), association.get("destinationNodeURI"))
        return any(isinstance(e, dict) and e.get("identifier") == sourced_id for e in ends)

    associations = [a for a in package.get("CFAssociations", []) if touches(a)]
    return {
        "CFItem": _pick(package["CFItems"], sourced_id, "CFItem"),
        "CFAssociations": associations,
    }


def cf_association(request: HttpRequest, caller: User | None, sourced_id: str) -> Any:
    association = (
        Association.objects.filter(
            identifier=sourced_id, framework__in=frameworks_published(user=caller)
        )
        .select_related("framework")
        .order_by("-framework_id")
        .first()
    )
    if association is None:
        raise _unknown("CFAssociation", sourced_id)
    return _pick(_package(association.framework)["CFAssociations"], sourced_id, "CFAssociation")


def _in_any_package(caller: User | None, find: Callable[[Package], Any]) -> Any:
    """The first object `find` picks from the caller's packages (rubrics and definitions
    have no table of their own to look them up in)."""
    for framework in frameworks_published(user=caller).order_by("-pk"):
        found = find(_package(framework))
        if found is not None:
            return found
    return None


def cf_rubric(request: HttpRequest, caller: User | None, sourced_id: str) -> Any:
    rubric = _in_any_package(
        caller,
        lambda p: next(
            (r for r in p.get("CFRubrics", []) if r.get("identifier") == sourced_id), None
        ),
    )
    if rubric is None:
        raise _unknown("CFRubric", sourced_id)
    return rubric


def _definition(kind: str) -> Callable[[HttpRequest, User | None, str], Any]:
    def answer(request: HttpRequest, caller: User | None, sourced_id: str) -> Any:
        found = _in_any_package(
            caller,
            lambda p: next(
                (
                    d
                    for d in (p.get("CFDefinitions") or {}).get(kind, [])
                    if d.get("identifier") == sourced_id
                ),
                None,
            ),
        )
        if found is None:
            raise _unknown(kind[:-1], sourced_id)
        return {kind: [found]}

    answer.__name__ = f"cf_{kind.lower()}"
    return answer


cf_item_types = _definition("CFItemTypes")
cf_concepts = _definition("CFConcepts")
cf_subjects = _definition("CFSubjects")
cf_licenses_set = _definition("CFLicenses")


def cf_license(request: HttpRequest, caller: User | None, sourced_id: str) -> Any:
    return cf_licenses_set(request, caller, sourced_id)["CFLicenses"][0]
