"""A sign-in with an unknown user name checks the password against a stored dummy hash, so it costs as long as a
wrong password for a real user: the dummy is a real hash made with the method every new password gets."""

from werkzeug.security import check_password_hash, generate_password_hash

from potrack.auth import users


def test_the_dummy_hash_is_a_real_hash_of_its_phrase():
    assert check_password_hash(users._DUMMY_HASH, "not a password")
    assert not check_password_hash(users._DUMMY_HASH, "not a password either")


def test_the_dummy_hash_uses_the_method_and_parameters_of_new_passwords():
    method_of = lambda digest: digest.split("$", 1)[0]  # noqa: E731 - e.g. scrypt:32768:8:1
    assert method_of(users._DUMMY_HASH) == method_of(generate_password_hash("a new password"))


def test_an_unknown_name_is_checked_against_the_dummy(web, monkeypatch):
    checked = []
    real_check = users.check_password_hash
    monkeypatch.setattr(
        users, "check_password_hash", lambda digest, pw: checked.append(digest) or real_check(digest, pw)
    )
    with web.engine.connect() as conn:
        assert users.authenticate(conn, "nobody-by-this-name", "a guess") is None
    assert checked == [users._DUMMY_HASH]
