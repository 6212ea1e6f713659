"""An access-log line stays one line of the common log format whatever the request holds: a quote or a control
character in the request line is escaped, and a request without its raw target has its path percent-encoded."""

import datetime as dt

from potrack.web.access_log import clf_time, line

RECEIVED = dt.datetime(2026, 3, 1, 9, 5, 7, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def test_quotes_and_control_characters_in_the_request_line_are_escaped():
    environ = {
        "REMOTE_ADDR": "10.0.0.7",
        "REQUEST_METHOD": "GET",
        "REQUEST_URI": '/search?q="x"\n10.0.0.8 - - [forged]\\',
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    logged = line(environ, RECEIVED, "200", 0)
    assert logged == (
        '10.0.0.7 - - [01/Mar/2026:09:05:07 -0500] "GET /search?q=\\"x\\"\\x0a10.0.0.8 - - [forged]\\\\ HTTP/1.1" 200 -'
    )
    assert "\n" not in logged


def test_without_a_raw_target_the_path_is_percent_encoded_and_the_query_kept():
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_USER": "otto",
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/runs/7 a\r",
        "QUERY_STRING": "page=2",
        "SERVER_PROTOCOL": "HTTP/1.0",
    }
    assert line(environ, RECEIVED, "302", 189) == (
        '127.0.0.1 - otto [01/Mar/2026:09:05:07 -0500] "POST /runs/7%20a%0D?page=2 HTTP/1.0" 302 189'
    )


def test_the_time_has_english_month_names_and_the_utc_offset():
    assert clf_time(dt.datetime(2026, 12, 31, 23, 59, 1, tzinfo=dt.UTC)) == "31/Dec/2026:23:59:01 +0000"
