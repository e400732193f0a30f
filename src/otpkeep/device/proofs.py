"""Proofs that this device holds the backup's data key, for the service to check.

A change to the account (a new passcode, a new address, ending a device, a deletion)
needs a signature under the possession key over a challenge drawn for that one change;
an upload needs one over the account, the new version and the body. Both keys come from
the data key, which only a device with the backup holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.crypto import escrow
from otpkeep.protocol.encoding import b64encode

if TYPE_CHECKING:
    import uuid

    from otpkeep.device.client import ServiceClient
    from otpkeep.protocol.messages import PossessionAction


def possession_header(
    client: ServiceClient,
    *,
    data_key: bytes,
    account_id: uuid.UUID,
    action: PossessionAction,
    target: str = "",
) -> str:
    """The ``Otpkeep-Possession`` value for ``action`` on ``target``: a fresh challenge, signed."""
    challenge = client.possession_challenge(action, target)
    signature = escrow.prove_possession(
        data_key,
        account_id=account_id,
        challenge_id=challenge.challenge_id,
        challenge=challenge.challenge,
        action=action.value,
        target=target,
    )
    return f"{challenge.challenge_id}.{b64encode(signature)}"
