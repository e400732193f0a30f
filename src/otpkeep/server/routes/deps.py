"""What routes take from a request: the runtime, the bearer token, the client address."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from otpkeep.server.runtime import Runtime

bearer = HTTPBearer(auto_error=False, description="The session token of a device.")


async def get_runtime(request: Request) -> Runtime:
    """The app's runtime."""
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_authorization(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str | None:
    """The request's ``Authorization`` value, re-assembled for the use cases."""
    if credentials is None:
        return None
    return f"{credentials.scheme} {credentials.credentials}"


async def get_client(request: Request) -> str:
    """The client's network address (the send limit counts per address)."""
    return request.client.host if request.client else "unknown"


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
AuthorizationDep = Annotated[str | None, Depends(get_authorization)]
ClientDep = Annotated[str, Depends(get_client)]
