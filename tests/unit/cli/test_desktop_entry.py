"""The desktop entry that opens otpkeep:// links: its Exec line follows the freedesktop rules."""

import pytest

from otpkeep.cli.desktop import desktop_entry, exec_quote


@pytest.mark.parametrize(
    ("argument", "written"),
    [
        ("/usr/bin/otpkeep", "/usr/bin/otpkeep"),
        ("/home/a b/.venv/bin/otpkeep", '"/home/a b/.venv/bin/otpkeep"'),
        ('/x/"q"$HOME`y`\\z', '"/x/\\"q\\"\\$HOME\\`y\\`\\\\z"'),
    ],
)
def test_paths_are_quoted_as_desktop_entries_read_them(argument: str, written: str) -> None:
    """Plain paths stay bare; spaces and reserved characters go in escaped double quotes."""
    assert exec_quote(argument) == written


def test_the_entry_opens_the_link_it_is_given() -> None:
    """The Exec line ends with `open %u`, so the desktop passes the tapped link."""
    entry = desktop_entry(exec_quote("/opt/my apps/otpkeep"))
    assert 'Exec="/opt/my apps/otpkeep" open %u\n' in entry
    assert "MimeType=x-scheme-handler/otpkeep;" in entry
