"""Sending one notification to one channel: Slack-compatible webhook, generic JSON webhook, or SMTP e-mail."""

from __future__ import annotations

import json
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from potrack.alerts.message import body, slack_json, subject, webhook_json
from potrack.config.alerts import ChannelConfig
from potrack.delivery import DeliveryError, post


def _post_json(url: str, document: dict[str, Any], timeout: float) -> None:
    post(url, json.dumps(document).encode(), {"Content-Type": "application/json"}, timeout)


def _email(channel: ChannelConfig, payload: dict[str, Any]) -> None:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject(payload), channel.sender, ", ".join(channel.to)
    # RFC 5322 asks for both; without them mail clients sort and thread the notifications by their own guess. The
    # id's domain is the sender's, not this host's name, which is nobody's business outside.
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid("potrack", domain=(channel.sender or "").rpartition("@")[2] or "potrack.invalid")
    message.set_content(body(payload))
    host, port, timeout = channel.host or "", channel.port, channel.timeout_s
    try:
        if channel.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if channel.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if channel.username:
                smtp.login(channel.username, channel.password or "")
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError:
        raise DeliveryError("the SMTP server refused the login") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"e-mail to {host}:{port} failed: {type(exc).__name__}: {exc}") from None


def send(channel: ChannelConfig, payload: dict[str, Any]) -> None:
    """Deliver a notification, or raise DeliveryError."""
    if channel.kind == "slack":
        _post_json(channel.url or "", slack_json(payload), channel.timeout_s)
    elif channel.kind == "webhook":
        _post_json(channel.url or "", webhook_json(payload), channel.timeout_s)
    else:
        _email(channel, payload)
