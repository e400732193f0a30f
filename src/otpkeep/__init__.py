"""otpkeep: a TOTP/HOTP authenticator with an end-to-end encrypted backup service."""
