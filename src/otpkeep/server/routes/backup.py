"""``/v1/backup``: sealed octets with the version as an ETag (full session)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response, status

from otpkeep.protocol import endpoints as e
from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.messages import BackupStored, BackupVersionList
from otpkeep.server.errors import refuse
from otpkeep.server.routes.deps import CallDep, call_of, route
from otpkeep.server.services import backup

if TYPE_CHECKING:
    from otpkeep.server.runtime import Runtime

router = APIRouter(tags=["backup"])

OCTET_BODY = {
    "requestBody": {
        "required": True,
        "content": {e.OCTETS: {"schema": {"type": "string", "format": "binary"}}},
    }
}
OCTET_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {e.OCTETS: {"schema": {"type": "string", "format": "binary"}}},
        "description": "The sealed backup; its version is the ETag.",
        "headers": {"ETag": {"schema": {"type": "string"}, "description": 'The version, "N".'}},
    }
}
PossessionHeader = Annotated[str | None, Header(alias=e.POSSESSION_HEADER)]


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    too_large = refuse(
        ErrorCode.BACKUP_TOO_LARGE, f"The backup is larger than the limit of {limit} bytes."
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _header(description: str, name: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": False, "schema": {"type": "string"},
            "description": description}  # fmt: skip


UPLOAD_DESCRIPTION = {
    **OCTET_BODY,
    "parameters": [
        _header('The version this upload replaces, as "N".', "If-Match"),
        _header("*, for the first upload of a backup.", "If-None-Match"),
        _header(
            "base64url Ed25519 signature under the possession key over the account, the new "
            "version and the body's SHA-256 (docs/protocol.md).",
            e.SIGNATURE_HEADER,
        ),
    ],
}


@route(router, e.UPLOAD, openapi_extra=UPLOAD_DESCRIPTION, response_model=BackupStored)
async def upload(request: Request) -> Response:
    """Store a new version; ``If-Match: "N"`` (or ``If-None-Match: *`` for the first).

    The route reads its headers itself and serialises its answer once: on the busiest
    endpoint, the framework's parameter parsing and response validation cost more than
    the work (the parameters are described above, for the OpenAPI document).
    """
    call = call_of(request)
    runtime: Runtime = call.runtime
    headers = request.headers
    precondition = backup.parse_precondition(headers.get("if-match"), headers.get("if-none-match"))
    data = await _read_body(request, runtime.settings.max_backup_bytes)
    stored = await call.direct(
        backup.upload, data, precondition=precondition, signature=headers.get(e.SIGNATURE_HEADER)
    )
    return Response(
        stored.model_dump_json(),
        media_type="application/json",
        headers={"ETag": f'"{stored.version}"'},
    )


def _octets(stored: backup.StoredBackup) -> Response:
    return Response(
        stored.data,
        media_type=e.OCTETS,
        headers={"ETag": f'"{stored.version}"', "Cache-Control": "no-store"},
    )


@route(router, e.DOWNLOAD, response_class=Response, openapi_extra={"responses": OCTET_ANSWER})
async def download(request: Request) -> Response:
    """The newest version's octets, its number as the ETag."""
    return _octets(await call_of(request).direct(backup.download))


@route(router, e.VERSIONS)
def versions(call: CallDep) -> BackupVersionList:
    """The kept versions, newest first."""
    return call(backup.list_versions)


@route(
    router, e.DOWNLOAD_VERSION, response_class=Response, openapi_extra={"responses": OCTET_ANSWER}
)
async def download_version(
    version: Annotated[int, Path(ge=1, le=2**31 - 1)], call: CallDep
) -> Response:
    """One kept version's octets."""
    return _octets(await call.direct(backup.download, version))


@route(router, e.DELETE_BACKUP, response_class=Response)
def delete(call: CallDep, proof: PossessionHeader = None) -> Response:
    """Delete the backup, its passcode and every version; every session ends."""
    call(backup.delete, proof)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
