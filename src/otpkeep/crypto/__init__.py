"""The cryptography of otpkeep; the only package that imports crypto libraries.

- :mod:`otpkeep.crypto.oprf`: the RFC 9497 OPRF (ristretto255-SHA512, mode 0)
- :mod:`otpkeep.crypto.kdf`: Argon2id key stretching and its parameters
- :mod:`otpkeep.crypto.envelope`: sealed envelopes (XChaCha20-Poly1305, versioned header)
- :mod:`otpkeep.crypto.libsodium`: the envelope's AEAD, loaded fast with ctypes
- :mod:`otpkeep.crypto.sodium`: ristretto255 and Ed25519 through pysodium
- :mod:`otpkeep.crypto.schedule`: every derived key and context, with its purpose
- :mod:`otpkeep.crypto.escrow`: passcode registration and recovery, both sides
- :mod:`otpkeep.crypto.policy` and :mod:`otpkeep.crypto.pins`: the passcode policy
- :mod:`otpkeep.crypto.passphrase`: the passphrase-sealed export file
- :mod:`otpkeep.crypto.slowhash`: the device's own passcode check
- :mod:`otpkeep.crypto.hazmat_legacy`: key derivations of other apps' export files

docs/protocol.md specifies every byte.
"""
