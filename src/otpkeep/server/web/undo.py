"""``/e/{token}``: the page the old address's link opens, to undo a change of address.

``GET`` only shows what would change and a button; the ``POST`` of that button undoes it
(a link scanner that follows links never changes anything). Both work without JavaScript.
"""

from __future__ import annotations

import html

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from otpkeep.server.db import undos
from otpkeep.server.routes.deps import RuntimeDep
from otpkeep.server.services import account
from otpkeep.server.services.links import open_undo
from otpkeep.server.services.notify import mask_email
from otpkeep.server.web.landing import page

router = APIRouter(include_in_schema=False)


def _gone() -> HTMLResponse:
    return page(
        "This link no longer works",
        "<p>This change of address can no longer be undone here: it was undone already, or "
        "the link expired. Open otpkeep on a device you trust and check Settings.</p>",
        410,
    )


@router.get("/e/{token}", response_class=HTMLResponse)
def confirm_undo(token: str, rt: RuntimeDep) -> HTMLResponse:
    """What undoing would do, and the button that does it."""
    undo_id = open_undo(rt.keys.link_token, token)
    if undo_id is None:
        return _gone()
    with rt.unit() as db:
        change = undos.live(db, undo_id, now=rt.now())
    if change is None:
        return _gone()
    action = html.escape(f"/e/{token}", quote=True)
    return page(
        "Undo the change of address?",
        f"<p>The address of your otpkeep backup was changed to "
        f"{html.escape(mask_email(change.new_email))}.</p>"
        f"<p>Undo it, and make {html.escape(change.old_email)} the backup's address again? "
        "The device that made the change is signed out.</p>"
        f'<form method="post" action="{action}"><button class="open" id="undo" type="submit">'
        "Undo the change</button></form>",
        200,
        forms=True,
    )


@router.post("/e/{token}", response_class=HTMLResponse)
def undo(token: str, rt: RuntimeDep) -> HTMLResponse:
    """Undo the change of address."""
    undo_id = open_undo(rt.keys.link_token, token)
    if undo_id is None:
        return _gone()
    with rt.unit() as db:
        restored = account.undo_email_change(rt, db, undo_id)
    if restored is None:
        return _gone()
    return page(
        "The change was undone",
        f"<p>{html.escape(restored)} is the address of your otpkeep backup again. Change your "
        "email password if you did not make the change, then check Settings, Devices in "
        "otpkeep.</p>",
        200,
    )
