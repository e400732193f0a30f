"""Write accounts out: URIs, QR codes, Aegis and 2FAS files, and otpkeep's encrypted file."""

from __future__ import annotations

from otpkeep.otp.exporters.writer import ExportFile, export, formats

__all__ = ["ExportFile", "export", "formats"]
