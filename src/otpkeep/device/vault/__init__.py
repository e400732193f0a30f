"""The device's vault: one encrypted file holding the accounts and the device's state.

- :mod:`~otpkeep.device.vault.store`: :class:`Vault`, locked read-modify-write of the file;
- :mod:`~otpkeep.device.vault.data`: what it holds — accounts (with tombstones) and typed state;
- :mod:`~otpkeep.device.vault.state`: the typed sections of that state;
- :mod:`~otpkeep.device.vault.layout`: the files byte for byte (magic, header, seal, key);
- :mod:`~otpkeep.device.vault.file`: reading and writing the file, the lock;
- :mod:`~otpkeep.device.vault.keystore`: where the device key lives;
- :mod:`~otpkeep.device.vault.home`: which folder is the device's;
- :mod:`~otpkeep.device.vault.lookup`: finding accounts by a query;
- :mod:`~otpkeep.device.vault.quick`: the accounts read for ``otpkeep code``, fast.

``Vault``, ``VaultData`` and ``StoredAccount`` are imported from their modules when first
asked for, so that importing :mod:`~otpkeep.device.vault.quick` imports none of them.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from otpkeep.device.vault.data import StoredAccount, VaultData
    from otpkeep.device.vault.store import Vault

__all__ = ["StoredAccount", "Vault", "VaultData"]


def __getattr__(name: str) -> object:
    """``Vault``, ``VaultData`` and ``StoredAccount``, from their modules on first use."""
    if name in {"StoredAccount", "VaultData"}:
        from otpkeep.device.vault import data  # noqa: PLC0415 - on first use

        value: object = getattr(data, name)
    elif name == "Vault":
        from otpkeep.device.vault import store  # noqa: PLC0415 - on first use

        value = store.Vault
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
