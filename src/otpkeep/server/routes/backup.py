"""``/v1/backup``: sealed octets with the version as an ETag (full session)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response, status
from starlette.concurrency import run_in_threadpool

from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.messages import BackupStored, BackupVersionList
from otpkeep.server.refusals import refuse
from otpkeep.server.routes.deps import AuthorizationDep, RuntimeDep
from otpkeep.server.services import auth, backup

if TYPE_CHECKING:
    from otpkeep.server.runtime import Runtime

router = APIRouter(prefix="/v1/backup", tags=["backup"])

OCTETS = "application/octet-stream"
OCTET_BODY = {
    "requestBody": {
        "required": True,
        "content": {OCTETS: {"schema": {"type": "string", "format": "binary"}}},
    }
}
OCTET_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {OCTETS: {"schema": {"type": "string", "format": "binary"}}}}
}


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
    rt: Runtime, authorization: str | None, data: bytes, headers: tuple[str | None, str | None]
) -> BackupStored:
    with rt.unit() as db:
        caller = auth.require_full(auth.authenticate(db, authorization, now=rt.now()))
        precondition = backup.parse_precondition(*headers)
        return backup.upload(rt, db, caller, data, precondition)


@router.put("", openapi_extra=OCTET_BODY)
async def upload(  # noqa: PLR0913, PLR0917 - FastAPI injects each as an argument
    request: Request,
    response: Response,
    rt: RuntimeDep,
    authorization: AuthorizationDep,
    if_match: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> BackupStored:
    """Store a new version; ``If-Match: "N"`` (or ``If-None-Match: *`` for the first)."""
    data = await _read_body(request, rt.settings.max_backup_bytes)
    stored = await run_in_threadpool(_store, rt, authorization, data, (if_match, if_none_match))
    response.headers["ETag"] = f'"{stored.version}"'
    return stored


def _octets(stored: backup.StoredBackup) -> Response:
    return Response(
        stored.data,
        media_type=OCTETS,
        headers={"ETag": f'"{stored.version}"', "Cache-Control": "no-store"},
    )


@router.get("", response_class=Response, responses=OCTET_ANSWER)
def download(rt: RuntimeDep, authorization: AuthorizationDep) -> Response:
    """The newest version's octets, its number as the ETag."""
    with rt.unit() as db:
        caller = auth.require_full(auth.authenticate(db, authorization, now=rt.now()))
        return _octets(backup.download(db, caller))


@router.get("/versions")
def versions(rt: RuntimeDep, authorization: AuthorizationDep) -> BackupVersionList:
    """The kept versions, newest first."""
    with rt.unit() as db:
        caller = auth.require_full(auth.authenticate(db, authorization, now=rt.now()))
        return backup.list_versions(db, caller)


@router.get("/versions/{version}", response_class=Response, responses=OCTET_ANSWER)
def download_version(
    version: Annotated[int, Path(ge=1, le=2**31 - 1)],
    rt: RuntimeDep,
    authorization: AuthorizationDep,
) -> Response:
    """One kept version's octets."""
    with rt.unit() as db:
        caller = auth.require_full(auth.authenticate(db, authorization, now=rt.now()))
        return _octets(backup.download(db, caller, version))


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
def delete(rt: RuntimeDep, authorization: AuthorizationDep) -> Response:
    """Delete the backup, its passcode and every version."""
    with rt.unit() as db:
        caller = auth.require_full(auth.authenticate(db, authorization, now=rt.now()))
        backup.delete(rt, db, caller)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
