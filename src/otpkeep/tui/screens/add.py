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
from otpkeep.tui.screens.form import ErrorLine, Failed, FormScreen, Tone, tone_of
from otpkeep.tui.widgets.field import Field
from otpkeep.tui.wording import counted

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.widget import Widget

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


KINDS = (
    ("TOTP (time)", OtpType.TOTP),
    ("HOTP (counter)", OtpType.HOTP),
    ("Steam Guard", OtpType.STEAM),
)


def labelled(text: str, field: Widget, *, id: str | None = None) -> Horizontal:  # noqa: A002 - Textual's name
    """A row: ``text`` as the visible label on the left, ``field`` beside it."""
    return Horizontal(Label(text, classes="label"), field, classes="row", id=id)


class AddScreen(FormScreen[int]):
    """Dismissed with the number of accounts added (``None`` when the person goes back)."""

    DEFAULT_CSS = """
    AddScreen TabbedContent { height: auto; }
    AddScreen TabPane { height: auto; padding: 0 1; }
    AddScreen VerticalScroll { height: auto; }
    AddScreen .row { height: auto; }
    AddScreen .row > .label { width: 16; padding: 1 1 0 0; }
    AddScreen .row > Field, AddScreen .row > Select { width: 1fr; }
    AddScreen .pair { width: 1fr; height: auto; }
    AddScreen #uri-label { margin-top: 1; }
    AddScreen Button { margin: 0 0 0 16; }
    AddScreen #add-uri { margin: 0; }
    AddScreen ErrorLine { margin: 0; padding: 0 1 0 17; }
    """

    AUTO_FOCUS = "#uri"

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        yield Label("Add an account", classes="screen-title")
        with TabbedContent(id="ways"):
            with TabPane("Paste a URI", id="paste"), VerticalScroll():
                yield Label("otpauth:// or otpauth-migration:// URI", id="uri-label")
                yield Field(placeholder="otpauth://totp/Issuer:name?secret=...", id="uri")
                yield Button("Add", id="add-uri", variant="primary")
            with TabPane("Type the fields", id="type"), VerticalScroll():
                yield labelled("Issuer", Field(placeholder="e.g. GitHub", id="issuer"))
                yield labelled(
                    "Account name", Field(placeholder="e.g. alice@example.com", id="name")
                )
                yield labelled(
                    "Secret (base32)",
                    Field(placeholder="e.g. JBSW Y3DP EHPK 3PXP", id="secret", password=True),
                )
                with Horizontal(classes="row"):
                    yield labelled(
                        "Type",
                        Select(KINDS, value=OtpType.TOTP, allow_blank=False, id="kind"),
                    ).add_class("pair")
                    yield labelled(
                        "Algorithm",
                        Select(
                            [(algorithm.value, algorithm) for algorithm in Algorithm],
                            value=Algorithm.SHA1,
                            allow_blank=False,
                            id="algorithm",
                        ),
                        id="algorithm-row",
                    ).add_class("pair")
                with Horizontal(classes="row"):
                    yield labelled(
                        "Digits",
                        Field(placeholder="6", id="digits", type="integer"),
                        id="digits-row",
                    ).add_class("pair")
                    yield labelled(
                        "Period (sec)",
                        Field(placeholder="30", id="period", type="integer"),
                        id="period-row",
                    ).add_class("pair")
                    yield labelled(
                        "Counter",
                        Field(placeholder="0", id="counter", type="integer"),
                        id="counter-row",
                    ).add_class("pair")
                yield Button("Add", id="add-fields", variant="primary")
            with TabPane("Import a file or QR image", id="file"), VerticalScroll():
                yield labelled(
                    "File", Field(placeholder="Path of an export file or a QR image", id="path")
                )
                yield labelled(
                    "Password",
                    Field(placeholder="Encrypted files only", id="password", password=True),
                )
                yield Button("Import", id="add-file", variant="primary")
        yield ErrorLine(id="error")
        yield Footer()

    def on_mount(self) -> None:
        self.show_fields_for(OtpType.TOTP)

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self.show_fields_for(OtpType(str(event.value)))

    def show_fields_for(self, kind: OtpType) -> None:
        """Period for time-based codes, Counter for counter-based ones; Steam fixes the rest."""
        self.query_one("#period-row").display = kind is not OtpType.HOTP
        self.query_one("#counter-row").display = kind is OtpType.HOTP
        self.query_one("#digits-row").display = kind is not OtpType.STEAM
        self.query_one("#algorithm-row").display = kind is not OtpType.STEAM

    # The three ways in.

    @on(Button.Pressed, "#add-uri")
    @on(Field.Submitted, "#uri")
    def _add_uri(self) -> None:
        text = self.query_one("#uri", Field).value
        try:
            report = read_text(text)
        except OtpkeepError as error:
            self.say(str(error), tone=tone_of(error))
            return
        self.store(report.accounts, skipped=len(report.entries) - len(report.accounts))

    @on(Button.Pressed, "#add-fields")
    @on(Field.Submitted, "#type Field")
    def _add_fields(self) -> None:
        try:
            account = self.typed_account()
        except OtpkeepError as error:
            self.say(str(error), tone=tone_of(error))
            return
        self.store([account])

    def typed_account(self) -> Account:
        """The account the fields of the second tab describe, validated."""
        value = {field.id: field.value for field in self.query(Field)}
        kind = OtpType(str(self.query_one("#kind", Select).value))
        algorithm = self.query_one("#algorithm", Select).value
        if not value["issuer"].strip() and not value["name"].strip():
            raise InvalidAccountError("Type an issuer or an account name.")
        timed = kind is not OtpType.HOTP
        return Account(
            issuer=value["issuer"].strip(),
            name=value["name"].strip(),
            secret=decode_base32(value["secret"]),
            type=kind,
            algorithm=Algorithm(str(algorithm)),
            digits=_number(value["digits"], "number of digits", 6),
            period=_number(value["period"], "period", 30) if timed else 30,
            counter=0 if timed else _number(value["counter"], "counter", 0),
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

    # Into the vault.

    def store(self, accounts: list[Account], *, skipped: int = 0) -> None:
        """Add ``accounts`` to the vault and leave, or say why nothing was added."""
        if not accounts:
            self.say(
                "Nothing to add: the input holds no account that can be read.", tone=Tone.WARNING
            )
            return
        try:
            with self.context.vault.transaction() as data:
                now = self.context.now_ms()
                added = sum(data.add(account, now) is not None for account in accounts)
        except OtpkeepError as error:
            self.say(str(error), tone=tone_of(error))
            return
        if not added:
            self.say("Already on this device: nothing was added.", tone=Tone.WARNING)
            return
        if skipped:
            self.notify(f"{counted(skipped, 'entry')} could not be read.", severity="warning")
        self.dismiss(added)
