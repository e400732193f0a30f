"""The device's side of the backup: its state, the pending mark, payload, merges, sync, gate.

Kept without re-exports, so that the change hook (:mod:`~otpkeep.device.backup.pending`),
which every command that writes the vault installs, imports nothing else.
"""
