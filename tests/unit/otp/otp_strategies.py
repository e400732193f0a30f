"""Hypothesis strategies for accounts that every format of the package can carry."""

from hypothesis import strategies as st

from otpkeep.otp.account import Account, Algorithm, OtpType

# Printable text without surrogates; labels do not start with a space, which the
# Key Uri Format drops after the issuer's colon.
_CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs"))
labels = st.text(_CHARACTERS, max_size=40).filter(lambda text: not text.startswith(" "))
secrets = st.binary(min_size=1, max_size=64)


@st.composite
def accounts(draw: st.DrawFn, *, google: bool = False) -> Account:
    """An account in canonical form: TOTP/Steam keep counter 0, HOTP keeps period 30.

    With ``google``, only what Google's export carries: TOTP or HOTP, 6 or 8 digits,
    period 30, an int64 counter.
    """
    types = [OtpType.TOTP, OtpType.HOTP] if google else list(OtpType)
    kind = draw(st.sampled_from(types))
    digits = draw(st.sampled_from([6, 8]) if google else st.integers(6, 10))
    period = 30 if google or kind is OtpType.HOTP else draw(st.integers(1, 86400))
    top = 2**63 - 1 if google else 2**64 - 1
    counter = draw(st.integers(0, top)) if kind is OtpType.HOTP else 0
    return Account(
        issuer=draw(labels),
        name=draw(labels),
        secret=draw(secrets),
        type=kind,
        algorithm=draw(st.sampled_from(list(Algorithm))),
        digits=digits,
        period=period,
        counter=counter,
    )
