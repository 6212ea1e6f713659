"""A user name holding NUL or any other control character (C0, DEL, C1) is refused with a 400 naming the user name,
on a SQLite and a PostgreSQL store (which cannot hold NUL in text): never a 500, nothing counted or audited; a
password holding one is just a wrong password."""

import pytest

import app
from tests.support.personas import PASSWORD, sign_in
from tests.support.store import store_rows

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

# (Whitespace around a user name is trimmed, as the form always did: those count inside the name only.)
WHITESPACE = ["\t", "\n", "\x1f", "\x85"]
OTHERS = ["\x00", "\x01", "\x1b", "\x7f", "\x9f"]
NAMES = [f"ot{c}to" for c in WHITESPACE + OTHERS] + [p.format(c) for c in OTHERS for p in ("otto{}", "{}", "{}otto")]


def test_a_control_character_in_the_user_name_is_400_naming_it(web):
    client = app.server.test_client()
    for name in NAMES:
        answer = sign_in(client, name, PASSWORD)
        assert answer.status_code == 400, repr(name)
        assert "The user name must not contain control characters." in answer.get_data(as_text=True)
    assert store_rows(web.engine, "SELECT * FROM login_failures") == []
    assert store_rows(web.engine, "SELECT * FROM audit_events WHERE event_type LIKE 'auth.%'") == []
    assert sign_in(client, "otto").status_code == 302  # not locked out by them


def test_a_nul_in_the_password_is_a_wrong_password(web):
    answer = sign_in(app.server.test_client(), "otto", "\x00" + PASSWORD)
    assert answer.status_code == 401 and "Wrong user name or password." in answer.get_data(as_text=True)
