"""How a route reaches a use case: registered from the endpoint table, one ``Call`` each.

:func:`route` registers a function for an :class:`~otpkeep.protocol.endpoints.Endpoint`
(its method, path, status, summary, security and refusals all come from the table).
The function takes a :class:`Call`, which runs a use case in one unit of work with the
authenticated caller that the endpoint's scopes allow::

    @route(router, endpoints.DEVICES)
    def devices(call: CallDep) -> DeviceList:
        return call(account.list_devices)

The dependency itself does no I/O (it runs on the event loop); the unit of work, the
authentication and the use case run together in the route's one worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any, Concatenate, Final, ParamSpec, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from otpkeep.protocol import endpoints
from otpkeep.protocol.messages import ErrorBody
from otpkeep.server.runtime import Runtime
from otpkeep.server.services import auth

if TYPE_CHECKING:
    from fastapi import APIRouter
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    from otpkeep.protocol.endpoints import Endpoint
    from otpkeep.protocol.errors import ErrorCode
    from otpkeep.protocol.messages import SessionScope
    from otpkeep.server.services.auth import Caller

P = ParamSpec("P")
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

BY_NAME: dict[str, Endpoint] = {endpoint.name: endpoint for endpoint in endpoints.ENDPOINTS}
SECURITY_SCHEME = "session"


class Call:
    """One request's way to its use case: the runtime, the token, who may call."""

    def __init__(
        self, runtime: Runtime, authorization: str | None, scopes: frozenset[SessionScope]
    ) -> None:
        self.runtime = runtime
        self.authorization = authorization
        self.scopes = scopes

    def __call__(
        self,
        use_case: Callable[Concatenate[Runtime, Session, Caller, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``use_case(runtime, db, caller, ...)`` for the authenticated caller."""
        return self._run(use_case, False, *args, **kwargs)  # noqa: FBT003 - a private switch

    def renewing(
        self,
        use_case: Callable[Concatenate[Runtime, Session, Caller, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """As calling it, but a full session whose life ran out may renew itself here."""
        return self._run(use_case, True, *args, **kwargs)  # noqa: FBT003 - a private switch

    def _run(
        self,
        use_case: Callable[Concatenate[Runtime, Session, Caller, P], T],
        renewal: bool,  # noqa: FBT001 - private
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        rt = self.runtime
        with rt.unit() as db:
            caller = auth.authenticate(
                rt, db, self.authorization, scopes=self.scopes, now=rt.now(), renewal=renewal
            )
            return use_case(rt, db, caller, *args, **kwargs)

    async def direct(
        self,
        use_case: Callable[Concatenate[Runtime, Connection, str | None, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run a data-path ``use_case(runtime, connection, authorization, ...)``.

        The use case authenticates the caller from its own statement. On SQLite it runs
        here, on the event loop (a thread would only queue for the same connection); on
        PostgreSQL in a worker thread, since its statements wait on the network.
        """
        rt = self.runtime

        def run() -> T:
            with rt.direct() as connection:
                return use_case(rt, connection, self.authorization, *args, **kwargs)

        if rt.inline:
            return run()
        return await run_in_threadpool(run)

    def optional(
        self,
        use_case: Callable[Concatenate[Runtime, Session, Caller | None, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``use_case(runtime, db, caller or None, ...)``: a token is read when sent.

        The token may be of any scope here; the use case decides what the caller may do.
        """
        rt = self.runtime
        with rt.unit() as db:
            caller = None
            if self.authorization:
                caller = auth.authenticate(
                    rt, db, self.authorization, scopes=endpoints.ANY_SESSION, now=rt.now()
                )
            return use_case(rt, db, caller, *args, **kwargs)

    def public(
        self,
        use_case: Callable[Concatenate[Runtime, Session, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``use_case(runtime, db, ...)``, for an endpoint without a session."""
        with self.runtime.unit() as db:
            return use_case(self.runtime, db, *args, **kwargs)


async def get_runtime(request: Request) -> Runtime:
    """The app's runtime."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def call_of(request: Request) -> Call:
    """The :class:`Call` of this request's endpoint (looked up by the route's name).

    A request that needs a session and sends no token is refused here, before its body
    or parameters are read: who may call is decided before what they sent.
    """
    endpoint = BY_NAME[request.scope["route"].name]
    authorization = request.headers.get("authorization")
    if (
        endpoint.authenticated
        and not endpoint.optional
        and auth.bearer_token(authorization) is None
    ):
        raise auth.not_signed_in()
    return Call(request.app.state.runtime, authorization, endpoint.scopes)


async def get_call(request: Request) -> Call:
    """:func:`call_of` as a FastAPI dependency."""
    return call_of(request)


async def get_client(request: Request) -> str:
    """The client's network address (the send limits count per network)."""
    return request.client.host if request.client else "unknown"


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
CallDep = Annotated[Call, Depends(get_call)]
ClientDep = Annotated[str, Depends(get_client)]


RETRY_AFTER_HEADER: Final = {
    "Retry-After": {"schema": {"type": "integer", "minimum": 1}, "description": "Seconds to wait."}
}
_ASKS_TO_WAIT: Final = frozenset({429, 503})


def responses(codes: Iterable[ErrorCode]) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI answers of refusals with ``codes``: an ``ErrorBody`` per status."""
    answers: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry = answers.setdefault(
            code.status, {"model": ErrorBody, "description": "Refused: " + code.value}
        )
        if code.value not in entry["description"]:
            entry["description"] += ", " + code.value
        if code.status in _ASKS_TO_WAIT:
            entry["headers"] = RETRY_AFTER_HEADER
    return answers


def route(router: APIRouter, endpoint: Endpoint, **options: Any) -> Callable[[F], F]:
    """Register the decorated function as ``endpoint`` on ``router``."""

    def register(function: F) -> F:
        extra: dict[str, Any] = dict(options.pop("openapi_extra", {}))
        if endpoint.authenticated:
            security: list[dict[str, list[str]]] = [{SECURITY_SCHEME: []}]
            extra["security"] = [*security, {}] if endpoint.optional else security
        router.add_api_route(
            endpoint.path,
            function,
            methods=[endpoint.method],
            name=endpoint.name,
            summary=endpoint.summary,
            status_code=endpoint.status,
            responses=responses(endpoints.refusals_of(endpoint)),
            openapi_extra=extra or None,
            **options,
        )
        return function

    return register
