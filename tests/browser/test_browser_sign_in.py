"""In real Chromium, every page asks for sign-in first: a page opened unsigned leads to the sign-in form, a wrong
password is refused with a plain message and stays there, the right one lands on the page that was asked for with
the user and role in the navbar, and Sign out leads back to the form (the pages are closed again)."""

import re

import pytest

from tests.support.browser import expect, sign_in, submit_sign_in

pytestmark = pytest.mark.browser


def test_an_unsigned_visit_leads_to_the_sign_in_form_and_back_to_the_page(history_app, page):
    page.goto(history_app.url + "/trends?source=demo")
    page.wait_for_url(re.compile(r"/login\?next="))
    assert page.input_value("input[name=next]") == "/trends?source=demo"
    page.fill("#username", "otto")
    page.fill("#password", "correct horse battery")
    page.click("#login-submit")
    page.wait_for_url(lambda url: url == history_app.url + "/trends?source=demo")
    expect(page.locator("#nav-user")).to_have_text("otto · operator")


def test_a_wrong_password_is_refused_and_stays_on_the_form(history_app, page):
    submit_sign_in(page, history_app, "otto", "not the password", "/runs")
    expect(page.locator(".login-error")).to_have_text("Wrong user name or password.")
    assert page.url.startswith(history_app.url + "/login") and page.locator("#navbar").count() == 0
    assert page.input_value("#username") == "otto" and page.input_value("#password") == ""


def test_the_right_password_lands_on_the_page_asked_for_and_sign_out_closes_it(history_app, page):
    sign_in(page, history_app, "vera", "/runs?status=failed")
    page.wait_for_selector(".run-card")
    expect(page.locator("#nav-user")).to_have_text("vera · viewer")
    page.locator("#nav-sign-out").click()
    page.wait_for_url("**/login")
    page.goto(history_app.url + "/runs")
    page.wait_for_url(re.compile(r"/login\?next="))
    expect(page.locator("#login-form")).to_be_visible()
