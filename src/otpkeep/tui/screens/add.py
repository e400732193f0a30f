"""Add accounts: paste a URI, type the fields, or import an export file or a QR image."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Label, Select, TabbedContent, TabPane

from otpkeep.errors import InvalidAccountError, InvalidInputError, OtpkeepError
from otpkeep.otp.account import Account, Algorithm, OtpType, decode_base32
from otpkeep.otp.importers import read_export, read_text
from otpkeep.tui.screens.form import ErrorLine, Failed, FormScreen
from otpkeep.tui.widgets.field import Field

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.otp.importers import ImportReport
    from otpkeep.tui.context import Context

MAX_FILE_BYTES = 16 * 1024 * 1024


def _number(text: str, what: str, default: int) -> int:
    if not text.strip():
        return default
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidAccountError(f"The {what} must be a whole number.") from None


def read_file(path_text: str, password: str) -> ImportReport:
    """Read an export file or a QR image; the password is asked for only when it is encrypted."""
    path = Path(path_text.strip()).expanduser()
    if not path_text.strip():
        raise InvalidInputError("Type the path of the file to import.")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InvalidInputError(f"Cannot read {path.name or path}: {exc.strerror}.") from exc
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInputError(f"{path.name} is larger than 16 MiB: it is not an export file.")

    def prompt() -> str:
        if not password:
            raise InvalidInputError("This file is encrypted: type its password and import again.")
        return password

    return read_export(data, filename=path.name, password=prompt)


class AddScreen(FormScreen[int]):
    """Dismissed with the number of accounts added (``None`` when the person goes back)."""

    DEFAULT_CSS = """
    AddScreen TabbedContent { height: 1fr; }
    AddScreen TabPane { height: 1fr; padding: 0 1; }
    AddScreen Horizontal { height: auto; }
    AddScreen Horizontal > Select { width: 1fr; }
    AddScreen Button { margin-top: 1; }
    """

    AUTO_FOCUS = "#uri"

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        yield Label("Add an account", classes="screen-title")
        with TabbedContent(id="ways"):
            with TabPane("Paste a URI", id="paste"), VerticalScroll():
                yield Label("otpauth:// or otpauth-migration:// URI (one per line)")
                yield Field(placeholder="otpauth://totp/Issuer:name?secret=...", id="uri")
                yield Button("Add", id="add-uri", variant="primary")
            with TabPane("Type the fields", id="type"), VerticalScroll():
                yield Field(placeholder="Issuer (e.g. GitHub)", id="issuer")
                yield Field(placeholder="Account name (e.g. alice@example.com)", id="name")
                yield Field(placeholder="Secret (base32)", id="secret", password=True)
                with Horizontal():
                    yield Select(
                        [("TOTP (time)", OtpType.TOTP), ("HOTP (counter)", OtpType.HOTP)],
                        value=OtpType.TOTP,
                        allow_blank=False,
                        id="kind",
                    )
                    yield Select(
                        [(algorithm.value, algorithm) for algorithm in Algorithm],
                        value=Algorithm.SHA1,
                        allow_blank=False,
                        id="algorithm",
                    )
                with Horizontal():
                    yield Field(placeholder="Digits: 6", id="digits", type="integer")
                    yield Field(placeholder="Period: 30", id="period", type="integer")
                    yield Field(placeholder="Counter: 0", id="counter", type="integer")
                yield Button("Add", id="add-fields", variant="primary")
            with TabPane("Import a file or QR image", id="file"), VerticalScroll():
                yield Field(placeholder="Path of an export file or a QR image", id="path")
                yield Field(
                    placeholder="Password (encrypted files only)", id="password", password=True
                )
                yield Button("Import", id="add-file", variant="primary")
        yield ErrorLine(id="error")
        yield Footer()

    # --- the three ways in -----------------------------------------------------------

    @on(Button.Pressed, "#add-uri")
    @on(Field.Submitted, "#uri")
    def _add_uri(self) -> None:
        text = self.query_one("#uri", Field).value
        try:
            report = read_text(text)
        except OtpkeepError as error:
            self.say(str(error))
            return
        self.store(report.accounts, skipped=len(report.entries) - len(report.accounts))

    @on(Button.Pressed, "#add-fields")
    @on(Field.Submitted, "#type Field")
    def _add_fields(self) -> None:
        try:
            account = self.typed_account()
        except OtpkeepError as error:
            self.say(str(error))
            return
        self.store([account])

    def typed_account(self) -> Account:
        """The account the fields of the second tab describe, validated."""
        value = {field.id: field.value for field in self.query(Field)}
        kind = self.query_one("#kind", Select).value
        algorithm = self.query_one("#algorithm", Select).value
        if not value["issuer"].strip() and not value["name"].strip():
            raise InvalidAccountError("Type an issuer or an account name.")
        return Account(
            issuer=value["issuer"].strip(),
            name=value["name"].strip(),
            secret=decode_base32(value["secret"]),
            type=OtpType(str(kind)),
            algorithm=Algorithm(str(algorithm)),
            digits=_number(value["digits"], "number of digits", 6),
            period=_number(value["period"], "period", 30),
            counter=_number(value["counter"], "counter", 0),
        )

    @on(Button.Pressed, "#add-file")
    @on(Field.Submitted, "#path")
    @on(Field.Submitted, "#password")
    def _add_file(self) -> None:
        self.import_file(
            self.query_one("#path", Field).value, self.query_one("#password", Field).value
        )

    @work(exclusive=True, group="import")
    async def import_file(self, path: str, password: str) -> None:
        """Read the file in a thread (decryption can take a second), then store its accounts."""
        report = await self.call(lambda: read_file(path, password), busy="Reading the file…")
        if isinstance(report, Failed):
            return
        self.store(report.accounts, skipped=len(report.entries) - len(report.accounts))

    # --- into the vault ----------------------------------------------------------------

    def store(self, accounts: list[Account], *, skipped: int = 0) -> None:
        """Add ``accounts`` to the vault and leave, or say why nothing was added."""
        if not accounts:
            self.say("Nothing to add: the input holds no account otpkeep can read.")
            return
        try:
            with self.context.vault.transaction() as data:
                now = self.context.now_ms()
                added = sum(data.add(account, now) is not None for account in accounts)
        except OtpkeepError as error:
            self.say(str(error))
            return
        if not added:
            self.say("Already on this device: nothing was added.")
            return
        if skipped:
            self.notify(f"{skipped} entr{'ies' if skipped != 1 else 'y'} could not be read.")
        self.dismiss(added)
