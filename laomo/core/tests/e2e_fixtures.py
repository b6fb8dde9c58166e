"""Shared fixtures of the Playwright browser tests (import them with `from ... import *`)."""

import importlib
import os

import pytest
from django.apps import apps as django_apps

from conftest import PASSWORD

from .browser import chromium_missing_message, guard_outside_requests, launch

# Playwright's sync API runs an event loop in this thread; Django would refuse ORM calls otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

__all__ = ["_restore_org_tree", "_org_tree", "browser", "context", "page", "login", "assert_nothing_from_outside"]


def _seed_org_tree():
    """The org tree the migrations seed (a no-op while it is there)."""
    importlib.import_module("laomo.orgs.migrations.0002_seed_org_tree").seed(django_apps, None)


@pytest.fixture(scope="module", autouse=True)
def _restore_org_tree(django_db_blocker):
    # The flush after each transactional test empties every table, the migrations' org tree too
    # (serialized_rollback does not help: under Playwright's greenlets Django hands out a fresh
    # connection object without the serialized contents). Put the tree back for the tests after these.
    yield
    with django_db_blocker.unblock():
        _seed_org_tree()


@pytest.fixture(autouse=True)
def _org_tree(transactional_db):
    _seed_org_tree()


@pytest.fixture(scope="module")
def browser():
    missing = chromium_missing_message()
    if missing:
        pytest.fail(missing, pytrace=False)
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = launch(pw)
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture
def context(browser, live_server):
    ctx = browser.new_context(locale="zh-CN")
    ctx.set_default_timeout(10_000)
    ctx.outside_requests = guard_outside_requests(ctx, live_server.url)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


def login(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def assert_nothing_from_outside(context):
    assert context.outside_requests == [], f"requests outside the server, or CSP violations: {context.outside_requests}"
