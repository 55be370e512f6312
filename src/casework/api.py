"""The REST API root, /api/v1/: authentication, the error shape, and each app's router.

Every error, from any endpoint or from no endpoint at all, is JSON of one shape::

    {"error": {"code": "invalid", "message": "…", "fields": {"name": ["…"]}}}

``fields`` maps each field name to its problems (``__all__`` for the request as a
whole) and is ``{}`` when the error is not about fields; ``conflict`` adds
``current_version``. A body that cannot be read (not JSON, a broken form, too many
fields) is a 400 ``bad_request``, one that is too large a 413 ``too_large``; every
operation that takes a body documents both. A 500 says nothing about its cause; the log gets the
exception type and where it was raised, never its message (it may quote data).
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import traceback
from collections.abc import Callable
from http.client import responses as reasons
from typing import Any, NoReturn

from csp.decorators import csp_update
from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.parser import Parser

from casework.assessments.api import router as assessments_router
from casework.clients.api import router as clients_router
from casework.confidentiality.api import router as confidentiality_router
from casework.consent.api import router as consent_router
from casework.core import context
from casework.core.api import router as core_router
from casework.core.api_auth import CsrfFailed, session_auth, token_auth
from casework.core.errors import ConflictError, NotFound
from casework.core.schemas import error_response
from casework.intake.api import router as intake_router
from casework.monitoring.api import router as monitoring_router
from casework.notes.api import router as notes_router
from casework.plans.api import router as plans_router
from casework.referrals.api import router as referrals_router
from casework.referrals.api_receiving import router as referrals_receiving_router
from casework.resources.api import router as resources_router

logger = logging.getLogger("casework.api")

View = Callable[..., HttpResponseBase]


def _not_found() -> JsonResponse:
    return error_response(404, "not_found", _("Not found."))


class CaseworkAPI(NinjaAPI):
    """The API, with its OpenAPI document built once per process.

    Building the document walks every operation's schemas (hundreds of milliseconds on a
    quiet machine, seconds under load), and it cannot change while the process runs: the
    routers are all added at import. So each path prefix's document is built on first use
    and kept; ``/openapi.json`` then only serializes it. Callers must not
    change the returned document: it is shared.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._openapi_schemas: dict[str, OpenAPISchema] = {}
        self._openapi_lock = threading.Lock()

    def get_openapi_schema(
        self,
        *,
        path_prefix: str | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> OpenAPISchema:
        if path_prefix is None:
            # As NinjaAPI does; it depends on the request's script prefix, hence the key.
            path_prefix = self.get_root_path(path_params or {})
        schema = self._openapi_schemas.get(path_prefix)
        if schema is None:
            # One build even when the first requests arrive together.
            with self._openapi_lock:
                schema = self._openapi_schemas.get(path_prefix)
                if schema is None:
                    schema = self.build_openapi_schema(path_prefix)
                    self._openapi_schemas[path_prefix] = schema
        return schema

    def build_openapi_schema(self, path_prefix: str) -> OpenAPISchema:
        """A new document, not the cached one: ninja's, with the body errors added."""
        schema = super().get_openapi_schema(path_prefix=path_prefix)
        _document_body_errors(schema)
        return schema

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        # Unknown paths under /api/v1/ answer in JSON too, not with the HTML 404 page.
        patterns.append(re_path(r"^.*$", _unknown_path))
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _api_response(pattern.callback)
        return patterns, app_name, namespace


def _api_response(view: View) -> View:
    """Give Django-level answers (404, 405) the API's error shape; keep responses out of caches."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = _not_found()
        if response.status_code == 405 and not isinstance(response, JsonResponse):
            allowed = response.get("Allow", "")
            response = error_response(
                405,
                "method_not_allowed",
                _("Use one of: %(methods)s.") % {"methods": allowed},
            )
            response["Allow"] = allowed
        # Responses carry client data: never keep them in a shared or browser cache.
        response.setdefault("Cache-Control", "no-store")
        return response

    return wrapped


def _document_body_errors(schema: OpenAPISchema) -> None:
    """Any operation that reads a body may find it unreadable (400) or too large (413)."""
    error = {
        "content": {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorOut")}}}
    }
    for methods in schema["paths"].values():
        for operation in methods.values():
            if "requestBody" not in operation:
                continue
            documented = operation["responses"]
            for status in (400, 413):
                documented.setdefault(status, {"description": reasons[status], **error})
            operation["responses"] = dict(sorted(documented.items()))


class BodyNotJson(ValueError):
    pass


def _not_a_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


class StrictJsonParser(Parser):
    """Request bodies are JSON as the standard has it: NaN and Infinity are refused."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return json.loads(request.body, parse_constant=_not_a_constant)
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, a constant
            raise BodyNotJson from exc


@csrf_exempt
def _unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return _not_found()


api = CaseworkAPI(
    title="Casework API",
    version="1",
    description=(
        "Case management for human-services agencies. Authenticate with a personal "
        "API token (`Authorization: Bearer cw_…`, created in Casework or with "
        "`POST /tokens` while signed in) or, from the browser, with the signed-in "
        "session and the CSRF token. Lists are paginated with `page` and `page_size`."
    ),
    urls_namespace="api",
    auth=[token_auth, session_auth],
    # The bundled Swagger UI, served from our own static files; no validator badge,
    # which would otherwise call validator.swagger.io. Its stylesheet draws some icons
    # as data: images, which the docs page (and it alone: it shows no client data) allows.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_decorator=csp_update({"img-src": ["data:"]}),
    parser=StrictJsonParser(),
)
api.add_router("", core_router)
api.add_router("", clients_router)
api.add_router("", intake_router)
api.add_router("", assessments_router)
api.add_router("", plans_router)
api.add_router("", notes_router)
api.add_router("", monitoring_router)
api.add_router("", confidentiality_router)
api.add_router("", consent_router)
api.add_router("", resources_router)
api.add_router("", referrals_router)
api.add_router("", referrals_receiving_router)


# --- errors ---------------------------------------------------------------------------------


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """("body", "payload", "rules", 0, "label") → "rules.0.label"; ("query", "page") → "page"."""
    parts = list(loc[1:])
    if loc and loc[0] == "body" and parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or NON_FIELD_ERRORS


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type")
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not accepted here.")
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ")


def invalid(fields: dict[str, list[str]]) -> JsonResponse:
    if set(fields) == {NON_FIELD_ERRORS}:
        message = " ".join(fields[NON_FIELD_ERRORS])
    else:
        message = _("Some fields are not valid: %(names)s.") % {
            "names": ", ".join(name for name in fields if name != NON_FIELD_ERRORS)
        }
    return error_response(422, "invalid", message, fields)


@api.exception_handler(RequestValidationError)
def _invalid_request(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(_pydantic_message(error))
    return invalid(fields)


@api.exception_handler(DjangoValidationError)
def _invalid_data(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        fields = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
    else:
        fields = {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}
    return invalid(fields)


@api.exception_handler(ConflictError)
def _conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return error_response(409, "conflict", exc.message, current_version=exc.current_version)


@api.exception_handler(DjangoPermissionDenied)
def _permission_denied(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    return error_response(
        403, "permission_denied", str(exc) or _("You do not have permission to do that.")
    )


@api.exception_handler(Http404)
def _http404(request: HttpRequest, exc: Http404) -> HttpResponse:
    # NotFound messages are written for the user ("No such case."); others may name models.
    if isinstance(exc, NotFound) and str(exc):
        return error_response(404, "not_found", str(exc))
    return _not_found()


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return _not_found()


_HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        message = exc.message
        if message == AuthenticationError().message:
            message = _("Sign in, or send a personal API token: Authorization: Bearer cw_…")
        response = error_response(401, "not_authenticated", message)
        response["WWW-Authenticate"] = 'Bearer realm="casework"'
        return response
    if isinstance(exc.__cause__, BodyNotJson):
        # Ninja's own words ("Cannot parse request body") are neither translated nor helpful.
        return _bad_request(
            _(
                "The request body is not valid JSON. Send one JSON object, encoded in UTF-8, "
                "with Content-Type: application/json."
            )
        )
    code = "csrf_failed" if isinstance(exc, CsrfFailed) else _HTTP_ERROR_CODES.get(exc.status_code)
    return error_response(exc.status_code, code or "error", exc.message)


def _bad_request(message: str) -> JsonResponse:
    return error_response(400, "bad_request", message)


@api.exception_handler(MultiPartParserError)
def _broken_form(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _bad_request(_("The request body is not valid multipart/form-data (with its boundary)."))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Django answers these with 400 outside the API; its messages name settings, not fields.
    logger.warning("API bad request %s in %s %s", type(exc).__name__, request.method, request.path)
    if isinstance(exc, TooManyFieldsSent):
        return _bad_request(
            _("The request has more than %(count)s fields.")
            % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
        )
    if isinstance(exc, TooManyFilesSent):
        return _bad_request(
            _("The request has more than %(count)s files.")
            % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
        )
    return _bad_request(_("The request could not be read."))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(
        413,
        "too_large",
        _("The request body is too large: at most %(count)s bytes, files aside.")
        % {"count": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
    )


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error(
        "API error %s in %s %s (request %s)\n%s",
        type(exc).__name__,
        request.method,
        request.path,
        context.current().request_id,
        "".join(traceback.format_tb(exc.__traceback__)),
    )
    return error_response(
        500,
        "server_error",
        _(
            "Something went wrong on our side. If it happens again, give your administrator "
            "this request id: %(id)s."
        )
        % {"id": context.current().request_id},
    )
