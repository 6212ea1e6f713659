"""An alert e-mail carries the Date and Message-ID headers RFC 5322 asks for: the date is the moment it was sent
(in GMT) and the id is unique per message, on the sender's domain rather than the host's name."""

import datetime as dt
from email.utils import parsedate_to_datetime

from potrack.alerts.channels import send
from potrack.config.alerts import ChannelConfig

PAYLOAD = {
    "event": "opened",
    "source": "erp",
    "rule": "stale_data",
    "title": "stale data",
    "message": "no completed run for 27 h (limit 26 h)",
    "since": "2026-12-06T10:00:00+00:00",
    "at": "2026-12-06T10:00:00+00:00",
    "last_success": None,
    "data_age_hours": None,
    "run_id": None,
    "run_url": None,
    "failure": None,
    "alerts_url": "http://potrack.test/alerts",
    "runbook_url": "http://potrack.test/runbook#stale-data",
    "alert_id": 1,
}


def test_each_email_has_a_date_now_and_its_own_message_id_on_the_senders_domain(smtp):
    channel = ChannelConfig(
        name="mail",
        kind="email",
        host="127.0.0.1",
        port=smtp.port,
        security="none",
        sender="potrack@ops.example.com",
        to=("ops@example.com",),
    )
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    send(channel, PAYLOAD)
    send(channel, PAYLOAD)
    after = dt.datetime.now(dt.UTC)

    first, second = smtp.messages
    sent_at = parsedate_to_datetime(first["Date"])
    assert sent_at.utcoffset() == dt.timedelta(0) and before <= sent_at <= after
    ids = [first["Message-ID"], second["Message-ID"]]
    assert ids[0] != ids[1]
    assert all(i.startswith("<") and i.endswith("@ops.example.com>") for i in ids)
