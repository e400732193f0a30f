"""The OPRF of RFC 9497, ciphersuite ristretto255-SHA512, mode 0 (OPRF), bytes in and out.

Elements and scalars are 32 bytes (ristretto255 encodings, little-endian scalars);
the output is 64 bytes. Every element received is checked once: a non-canonical
encoding, an invalid one or the identity raises :class:`InvalidElementError`. The
check is libsodium's own, made by the scalar multiplication that uses the element
(``crypto_scalarmult_ristretto255`` decodes it and refuses the identity), plus the one
rule libsodium 1.0.18 leaves out: RFC 9496 §4.3.1 reads all 256 bits, so an encoding
with the top bit of its last byte set is refused here (1.0.18 masks that bit and
would accept a second spelling of a valid element).
The group arithmetic is libsodium's (:mod:`otpkeep.crypto.sodium`); hashing to
the group and to scalars is expand_message_xmd with SHA-512 (RFC 9380 §5.3.1).
"""

from __future__ import annotations

import hashlib

from otpkeep.crypto import sodium
from otpkeep.errors import InvalidElementError, InvalidParameterError

MODE_OPRF = 0x00
IDENTIFIER = b"ristretto255-SHA512"
CONTEXT = b"OPRFV1-" + bytes((MODE_OPRF,)) + b"-" + IDENTIFIER
HASH_TO_GROUP_DST = b"HashToGroup-" + CONTEXT
HASH_TO_SCALAR_DST = b"HashToScalar-" + CONTEXT
DERIVE_KEY_PAIR_DST = b"DeriveKeyPair" + CONTEXT

ELEMENT_BYTES = 32
SCALAR_BYTES = 32
OUTPUT_BYTES = 64
GROUP_ORDER = 2**252 + 27742317777372353535851937790883648493
MAX_INPUT_BYTES = 2**16 - 1
_IDENTITY = bytes(ELEMENT_BYTES)


def expand_message_xmd(message: bytes, dst: bytes, length: int) -> bytes:
    """expand_message_xmd of RFC 9380 §5.3.1 with SHA-512."""
    block, rate = 64, 128
    count = -(-length // block)
    if count > 255 or length > 2**16 - 1 or len(dst) > 255:
        raise InvalidParameterError("expand_message_xmd: the output or the tag is too long.")
    dst_prime = dst + bytes((len(dst),))
    b0 = hashlib.sha512(
        bytes(rate) + message + length.to_bytes(2, "big") + b"\x00" + dst_prime
    ).digest()
    blocks = [hashlib.sha512(b0 + b"\x01" + dst_prime).digest()]
    for index in range(2, count + 1):
        mixed = bytes(x ^ y for x, y in zip(b0, blocks[-1], strict=True))
        blocks.append(hashlib.sha512(mixed + bytes((index,)) + dst_prime).digest())
    return b"".join(blocks)[:length]


def hash_to_group(message: bytes) -> bytes:
    """HashToGroup: hash_to_ristretto255 (RFC 9380 Appendix B) with the suite's tag."""
    return sodium.from_hash(expand_message_xmd(message, HASH_TO_GROUP_DST, 64))


def hash_to_scalar(message: bytes, dst: bytes = HASH_TO_SCALAR_DST) -> bytes:
    """HashToScalar: 64 bytes of expand_message_xmd, little-endian, reduced mod the order."""
    return sodium.scalar_reduce(expand_message_xmd(message, dst, 64))


def _check_scalar(scalar: bytes, name: str) -> None:
    if len(scalar) != SCALAR_BYTES:
        raise InvalidParameterError(f"The OPRF {name} must be a 32-byte scalar.")
    if not 0 < int.from_bytes(scalar, "little") < GROUP_ORDER:
        raise InvalidParameterError(f"The OPRF {name} is not a canonical non-zero scalar.")


def _invalid_element() -> InvalidElementError:
    return InvalidElementError("A group element is not a valid ristretto255 element.")


def _check_encoding(element: bytes) -> None:
    """What libsodium's decoder does not check: the length, and the top bit (RFC 9496)."""
    if len(element) != ELEMENT_BYTES or element[-1] & 0x80:
        raise _invalid_element()


def _multiply(scalar: bytes, element: bytes) -> bytes:
    """``scalar * element`` of a received element; refused if it does not decode or is 0."""
    _check_encoding(element)
    product = sodium.scalar_mult(scalar, element)
    if product is None:  # libsodium refused the encoding, or the product is the identity
        raise _invalid_element()
    return product


def is_valid_element(element: bytes) -> bool:
    """True for the canonical encoding of a ristretto255 element other than the identity."""
    try:
        _check_encoding(element)
    except InvalidElementError:
        return False
    return element != _IDENTITY and sodium.is_valid_point(element)


def _check_input(data: bytes) -> None:
    if len(data) > MAX_INPUT_BYTES:
        raise InvalidParameterError("An OPRF input is longer than 65535 bytes.")


def derive_private_key(seed: bytes, info: bytes) -> bytes:
    """The private scalar of DeriveKeyPair (RFC 9497 §3.2.1); mode 0 needs no public key.

    The RFC's loop draws again while the scalar is zero; the base point multiplication
    that would give the public key is left out, since it changes nothing here.
    """
    if len(seed) != 32:
        raise InvalidParameterError("An OPRF seed must be 32 bytes.")
    _check_input(info)
    derive_input = seed + len(info).to_bytes(2, "big") + info
    for counter in range(256):
        secret = hash_to_scalar(derive_input + bytes((counter,)), DERIVE_KEY_PAIR_DST)
        if any(secret):
            return secret
    raise InvalidParameterError("No OPRF key can be derived from this seed.")  # pragma: no cover


def derive_key_pair(seed: bytes, info: bytes) -> tuple[bytes, bytes]:
    """DeriveKeyPair (RFC 9497 §3.2.1): the private scalar and public element."""
    secret = derive_private_key(seed, info)
    public = sodium.scalar_mult_base(secret)
    if public is None:  # pragma: no cover - a non-zero scalar times G is never the identity
        raise InvalidParameterError("No OPRF key can be derived from this seed.")
    return secret, public


def blind(input: bytes, blind: bytes | None = None) -> tuple[bytes, bytes]:  # noqa: A002 (RFC name)
    """Blind (RFC 9497 §3.3.1): the blind and the blinded element to send."""
    _check_input(input)
    if blind is None:
        blind = sodium.scalar_random()
    _check_scalar(blind, "blind")
    element = hash_to_group(input)
    blinded = sodium.scalar_mult(blind, element)
    if blinded is None:
        raise InvalidElementError("The OPRF input hashes to the identity element.")
    return blind, blinded


def blind_evaluate(sk: bytes, blinded_element: bytes) -> bytes:
    """BlindEvaluate (RFC 9497 §3.3.1): the service's answer to a blinded element."""
    _check_scalar(sk, "private key")
    return _multiply(sk, blinded_element)


def finalize(input: bytes, blind: bytes, evaluated_element: bytes) -> bytes:  # noqa: A002
    """Finalize (RFC 9497 §3.3.1): the 64-byte OPRF output."""
    _check_input(input)
    _check_scalar(blind, "blind")
    unblinded = _multiply(sodium.scalar_invert(blind), evaluated_element)
    return hashlib.sha512(
        len(input).to_bytes(2, "big")
        + input
        + len(unblinded).to_bytes(2, "big")
        + unblinded
        + b"Finalize"
    ).digest()
