"""The device's vault: one encrypted file holding the accounts and the device's state.

- :mod:`~otpkeep.device.vault.store`: :class:`Vault`, locked read-modify-write of the file;
- :mod:`~otpkeep.device.vault.data`: what it holds — accounts (with tombstones) and typed state;
- :mod:`~otpkeep.device.vault.state`: the typed sections of that state;
- :mod:`~otpkeep.device.vault.file`: the file's layout, atomic writes, the lock;
- :mod:`~otpkeep.device.vault.keystore`: where the device key lives;
- :mod:`~otpkeep.device.vault.home`: which folder is the device's;
- :mod:`~otpkeep.device.vault.lookup`: finding accounts by a query.
"""

from otpkeep.device.vault.data import StoredAccount, VaultData
from otpkeep.device.vault.store import Vault

__all__ = ["StoredAccount", "Vault", "VaultData"]
