"""``/v1/backup``: sealed octets with the version as an ETag (full session)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response, status
from starlette.concurrency import run_in_threadpool

from otpkeep.protocol import endpoints as e
from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.messages import BackupStored, BackupVersionList
from otpkeep.server.errors import refuse
from otpkeep.server.routes.deps import Call, CallDep, route
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
SignatureHeader = Annotated[str | None, Header(alias=e.SIGNATURE_HEADER)]


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


def _store(
    call: Call, data: bytes, headers: tuple[str | None, str | None], signature: str | None
) -> BackupStored:
    precondition = backup.parse_precondition(*headers)
    return call(backup.upload, data, precondition, signature)


@route(router, e.UPLOAD, openapi_extra=OCTET_BODY)
async def upload(  # noqa: PLR0913, PLR0917 - FastAPI injects each as an argument
    request: Request,
    response: Response,
    call: CallDep,
    if_match: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
    signature: SignatureHeader = None,
) -> BackupStored:
    """Store a new version; ``If-Match: "N"`` (or ``If-None-Match: *`` for the first)."""
    runtime: Runtime = call.runtime
    data = await _read_body(request, runtime.settings.max_backup_bytes)
    stored = await run_in_threadpool(_store, call, data, (if_match, if_none_match), signature)
    response.headers["ETag"] = f'"{stored.version}"'
    return stored


def _octets(stored: backup.StoredBackup) -> Response:
    return Response(
        stored.data,
        media_type=e.OCTETS,
        headers={"ETag": f'"{stored.version}"', "Cache-Control": "no-store"},
    )


@route(router, e.DOWNLOAD, response_class=Response, openapi_extra={"responses": OCTET_ANSWER})
def download(call: CallDep) -> Response:
    """The newest version's octets, its number as the ETag."""
    return _octets(call(backup.download))


@route(router, e.VERSIONS)
def versions(call: CallDep) -> BackupVersionList:
    """The kept versions, newest first."""
    return call(backup.list_versions)


@route(
    router, e.DOWNLOAD_VERSION, response_class=Response, openapi_extra={"responses": OCTET_ANSWER}
)
def download_version(version: Annotated[int, Path(ge=1, le=2**31 - 1)], call: CallDep) -> Response:
    """One kept version's octets."""
    return _octets(call(backup.download, version))


@route(router, e.DELETE_BACKUP, response_class=Response)
def delete(call: CallDep, proof: PossessionHeader = None) -> Response:
    """Delete the backup, its passcode and every version; every session ends."""
    call(backup.delete, proof)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
