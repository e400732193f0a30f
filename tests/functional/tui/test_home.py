"""The home screen as a person uses it: codes, search, copy, HOTP, add, delete, the header."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from textual.widgets import Input, Label, OptionList, Static, TabbedContent
from tui_support import BANK, GITHUB, HEROKU, NOW, fill, rows, settle

from otpkeep.otp.account import Account, OtpType
from otpkeep.otp.codes import hotp, totp
from otpkeep.otp.qr import qr_png
from otpkeep.otp.uri import format_uri
from otpkeep.tui.screens.add import AddScreen
from otpkeep.tui.screens.confirm import ConfirmScreen
from otpkeep.tui.screens.form import ErrorLine
from otpkeep.tui.screens.home import HomeScreen
from otpkeep.tui.screens.notifications import NotificationsScreen
from otpkeep.tui.screens.settings import SettingsScreen
from otpkeep.tui.widgets.header import NotificationsIcon, SettingsIcon

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from textual.pilot import Pilot

    from otpkeep.device.vault import Vault
    from otpkeep.tui.app import OtpkeepApp

pytestmark = pytest.mark.anyio


def shown(app: OtpkeepApp) -> list[tuple[str, str]]:
    """Each account on screen as (issuer, code as written on screen)."""
    return [(issuer, code) for issuer, code, _, _ in rows(app)]


async def open_add(app: OtpkeepApp, pilot: Pilot[Any], way: str = "paste") -> AddScreen:
    """Press ``a`` on the home screen and click the add screen's tab (paste, type or file)."""
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, AddScreen)
    if way != "paste":
        await pilot.click(f"#--content-tab-{way}")
        await settle(pilot)
        assert screen.query_one("#ways", TabbedContent).active == way
    return screen


async def test_every_account_shows_its_code_grouped_with_a_countdown(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """Each TOTP account shows the code of the clock's time, in groups, and the seconds left."""
    fill(vault, GITHUB, HEROKU)
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        github = totp(GITHUB.secret, NOW)
        heroku = totp(HEROKU.secret, NOW)
        assert shown(app) == [
            ("GitHub", f"{github[:3]} {github[3:]}"),
            ("Heroku", f"{heroku[:3]} {heroku[3:]}"),
        ]
        assert [beside[-3:] for _, _, _, beside in rows(app)] == ["20s", "20s"]


async def test_an_empty_vault_says_how_to_add_an_account(build: Callable[..., OtpkeepApp]) -> None:
    """With no account the home screen says that a adds one."""
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Press a to add one" in str(app.screen.query_one("#message", Static).content)


async def test_search_filters_as_you_type_and_escape_clears_it(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """/ opens the search; each key narrows the list; Escape brings every account back."""
    fill(vault, GITHUB, HEROKU, BANK)
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "h", "e", "r")
        await settle(pilot)
        assert [issuer for issuer, _ in shown(app)] == ["Heroku"]
        await pilot.press("z")
        await settle(pilot)
        assert shown(app) == []
        assert "No account matches" in str(app.screen.query_one("#message", Static).content)
        await pilot.press("escape")
        await settle(pilot)
        assert [issuer for issuer, _ in shown(app)] == ["GitHub", "Heroku", "Bank"]


async def test_c_copies_the_highlighted_code_to_the_clipboard(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """c copies the current code of the highlighted account, digits only."""
    fill(vault, GITHUB, HEROKU)
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "c")
        await settle(pilot)
        assert app.clipboard == totp(HEROKU.secret, NOW)


async def test_g_makes_the_next_hotp_code_and_moves_the_counter_on(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """An HOTP code stays hidden until g; each g shows the next code and saves the counter."""
    fill(vault, BANK)
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert shown(app) == [("Bank", "••• •••")]
        await pilot.press("g")
        await settle(pilot)
        first = hotp(BANK.secret, 0)
        assert shown(app) == [("Bank", f"{first[:3]} {first[3:]}")]
        await pilot.press("g", "c")
        await settle(pilot)
        assert app.clipboard == hotp(BANK.secret, 1)
    stored = vault.load().live()[0].account
    assert stored is not None
    assert stored.counter == 2


async def test_a_pasted_uri_adds_an_account(vault: Vault, build: Callable[..., OtpkeepApp]) -> None:
    """a, paste an otpauth:// URI, Enter: the account is in the vault and on screen."""
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add(app, pilot)
        uri = "otpauth://totp/Example:bob@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"
        screen.query_one("#uri", Input).value = uri
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, HomeScreen))
        await settle(pilot)
        assert [issuer for issuer, _ in shown(app)] == ["Example"]
    labels = [s.account.label for s in vault.load().live() if s.account]
    assert labels == ["Example: bob@example.com"]


async def test_typed_fields_with_a_bad_secret_say_why_in_place(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """A secret that is not base32 is refused in one sentence; nothing is stored."""
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add(app, pilot, "type")
        screen.query_one("#issuer", Input).value = "Acme"
        screen.query_one("#secret", Input).value = "not base32!"
        screen.query_one("#secret").focus()
        await pilot.press("enter")
        await settle(pilot)
        error = str(screen.query_one(ErrorLine).content)
        assert error == (
            "The secret has '!' at position 11, which is not base32: "
            "use the letters A-Z and the digits 2-7."
        )
        assert app.screen is screen
    assert vault.load().live() == []


async def test_typed_fields_add_a_totp_account(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """Issuer, name and secret typed in the second tab make a TOTP account."""
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add(app, pilot, "type")
        screen.query_one("#issuer", Input).value = "Acme"
        screen.query_one("#name", Input).value = "carol"
        screen.query_one("#secret", Input).value = "JBSW Y3DP EHPK 3PXP"
        screen.query_one("#secret").focus()
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, HomeScreen))
    stored = [s.account for s in vault.load().live()]
    assert stored == [Account(issuer="Acme", name="carol", secret=b"Hello!\xde\xad\xbe\xef")]


async def test_delete_asks_first_and_cancel_keeps_the_account(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """d asks; n keeps the account; d then y deletes it from the vault."""
    fill(vault, GITHUB, HEROKU)
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert len(vault.load().live()) == 2
        await pilot.press("d", "y")
        await settle(pilot, until=lambda: len(shown(app)) == 1)
        assert [issuer for issuer, _ in shown(app)] == ["Heroku"]
    assert [s.account for s in vault.load().live()] == [HEROKU]


async def test_the_header_icons_open_by_mouse_and_by_key(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """A click on Notifications or Settings opens it, as n and s do."""
    fill(vault, GITHUB)
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.click(NotificationsIcon)
        await settle(pilot)
        assert isinstance(app.screen, NotificationsScreen)
        await pilot.press("escape")
        await pilot.click(SettingsIcon)
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("escape", "n")
        await settle(pilot)
        assert isinstance(app.screen, NotificationsScreen)
        await pilot.press("escape", "s")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)


async def test_the_badge_counts_unread_notifications_until_they_are_seen(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """An ecosystem account opens the gate: the badge shows 1 until Notifications is opened."""
    fill(vault, GITHUB, HEROKU)
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        badge = app.screen.query_one(NotificationsIcon)
        assert badge.unread == 1
        await pilot.press("n")
        await settle(pilot)
        notices = app.screen.query_one("#notices", OptionList)
        assert "Enable Backups" in str(notices.get_option_at_index(0).prompt)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one(NotificationsIcon).unread == 0


async def test_an_account_added_by_another_process_appears_on_the_next_tick(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """`otpkeep add` in another terminal changes the vault; the running app shows it."""
    fill(vault, GITHUB)
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        fill(vault, HEROKU)
        await settle(pilot, until=lambda: len(shown(app)) == 2)
        assert [issuer for issuer, _ in shown(app)] == ["GitHub", "Heroku"]


async def test_a_qr_image_is_imported_from_the_file_tab(
    tmp_path: Path, vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """The third tab reads a QR image of an otpauth:// URI into an account."""
    image = tmp_path / "github.png"
    image.write_bytes(qr_png(format_uri(GITHUB)))
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add(app, pilot, "file")
        screen.query_one("#path", Input).value = str(image)
        screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, HomeScreen))
    assert [s.account for s in vault.load().live()] == [GITHUB]


async def test_a_file_that_cannot_be_read_is_said_in_place(
    tmp_path: Path, build: Callable[..., OtpkeepApp]
) -> None:
    """A path to nothing is refused in one sentence on the add screen."""
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add(app, pilot, "file")
        screen.query_one("#path", Input).value = str(tmp_path / "missing.json")
        screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await settle(pilot, until=lambda: bool(str(screen.query_one(ErrorLine).content)))
        assert str(screen.query_one(ErrorLine).content) == (
            "Cannot read missing.json: No such file or directory."
        )


async def test_thousands_of_accounts_scroll_and_search_like_a_few(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """With 2,000 accounts the screen fills with the first, End reaches the last, / finds one."""
    many = [
        Account(issuer=f"Issuer{n:04d}", name=f"user{n}", secret=b"%020d" % n) for n in range(2000)
    ]
    fill(vault, *many)
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert [issuer for issuer, _ in shown(app)][:3] == [
            "Issuer0000",
            "Issuer0001",
            "Issuer0002",
        ]
        await pilot.press("end")
        await settle(pilot)
        assert [issuer for issuer, _ in shown(app)][-1] == "Issuer1999"
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == totp(many[-1].secret, NOW)
        await pilot.press("slash", *"issuer1234")
        await settle(pilot)
        assert [issuer for issuer, _ in shown(app)] == ["Issuer1234"]


def field_labels(screen: AddScreen) -> list[str]:
    """The labels shown beside the fields of the typed form, in order."""
    return [
        str(label.content)
        for label in screen.query("#type .label").results(Label)
        if label.parent is not None and label.parent.display
    ]


async def choose_kind(pilot: Pilot[Any], downs: int) -> None:
    """Open the Type list with the mouse and pick the entry ``downs`` below the current one."""
    await pilot.click("#kind")
    await settle(pilot)
    await pilot.press(*["down"] * downs, "enter")
    await settle(pilot)


async def test_the_typed_form_labels_every_field_and_follows_the_type(
    build: Callable[..., OtpkeepApp],
) -> None:
    """Each field has a label; TOTP asks a period, HOTP a counter, Steam only a period."""
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add(app, pilot, "type")
        common = ["Issuer", "Account name", "Secret (base32)", "Type"]
        assert field_labels(screen) == [*common, "Algorithm", "Digits", "Period (sec)"]
        await choose_kind(pilot, 1)
        assert field_labels(screen) == [*common, "Algorithm", "Digits", "Counter"]
        await choose_kind(pilot, 1)
        assert field_labels(screen) == [*common, "Period (sec)"]


async def test_typed_fields_add_an_hotp_account_with_its_counter(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """HOTP chosen, a counter typed: the account is stored counter-based from that count."""
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add(app, pilot, "type")
        await choose_kind(pilot, 1)
        screen.query_one("#issuer", Input).value = "Bank"
        screen.query_one("#secret", Input).value = "JBSWY3DPEHPK3PXP"
        screen.query_one("#counter", Input).value = "41"
        screen.query_one("#counter").focus()
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, HomeScreen))
    stored = [s.account for s in vault.load().live()]
    assert stored == [
        Account(
            issuer="Bank", name="", secret=b"Hello!\xde\xad\xbe\xef", type=OtpType.HOTP, counter=41
        )
    ]


async def test_codes_count_down_behind_the_delete_question(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """While d asks whether to delete, the codes behind the question still tick each second."""
    fill(vault, GITHUB)
    now = [NOW]
    app = build(clock=lambda: now[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        now[0] = NOW + 21  # into the next period
        await settle(pilot, until=lambda: rows(app, home)[0][3].endswith(" 29s"))
        code = totp(GITHUB.secret, NOW + 21)
        assert rows(app, home)[0][1] == f"{code[:3]} {code[3:]}"
