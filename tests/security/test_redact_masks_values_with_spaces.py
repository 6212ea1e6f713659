"""A credential's value is masked whole, up to its delimiter (';' or the end of the line), spaces included, in
every shape a connection string takes (ODBC, braced ODBC, libpq quoted, key = value); a registered secret is masked
whole even where a pattern would have masked only its start."""

import pytest

from potrack import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PWD=Sp ace_secret;", "PWD=***;"),
        ("PWD=Sp ace_secret", "PWD=***"),
        (
            "DRIVER={ODBC Driver 18};SERVER=erp;UID=po;PWD=Sp ace_secret;Encrypt=yes",
            "DRIVER={ODBC Driver 18};SERVER=erp;UID=po;PWD=***;Encrypt=yes",
        ),
        ("Server=erp;User Id=po;Password=two words here;Database=x", "Server=erp;User Id=po;Password=***;Database=x"),
        ("UID=po;PWD={br;ace d}};x};Encrypt=yes", "UID=po;PWD=***;Encrypt=yes"),
        ("UID=po;PWD={left open; still the password", "UID=po;PWD=***"),
        ("host=db password='two words' dbname=erp", "host=db password=*** dbname=erp"),
        ('password="two words", host=db', "password=***, host=db"),
        ("PWD='quoted'then more;Encrypt=yes", "PWD=***;Encrypt=yes"),
        ("Password = hunter two\nthe next line stays", "Password = ***\nthe next line stays"),
        ("api_key=abc def;other=1", "api_key=***;other=1"),
    ],
)
def test_a_credential_value_is_masked_to_its_delimiter(text, expected):
    assert redact.scrub(text) == expected


def test_a_registered_secret_with_a_space_is_masked_whole_wherever_it_appears():
    secret = "Sp4ce_9f7 ace_secret_b21"
    redact.register_connection_string(f"DRIVER={{x}};UID=po;PWD={secret};Encrypt=yes")
    for text in (
        f"PWD={secret};",
        f"login failed: PWD={secret}",
        f"the driver said {secret!r}",
        f"Password = {secret}\n",
        f"{secret} at the start",
    ):
        scrubbed = redact.scrub(text)
        assert "ace_secret_b21" not in scrubbed and "Sp4ce_9f7" not in scrubbed, scrubbed


def test_text_without_credentials_is_left_as_it_is():
    for text in ("no such column: quantity", "password_hash=abc", "PWD=;UID=po", "a b = c; d"):
        assert redact.scrub(text) == text
