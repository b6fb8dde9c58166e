"""Browser check of the care visit form's live re-check (issue 15 item 2): a box ticked while the re-check
is in flight stays ticked when the re-checked fields come back. Only a browser sees this race."""

from __future__ import annotations

import pytest

from conftest import make_user
from laomo.core.tests.e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from laomo.core.tests.e2e_fixtures import assert_nothing_from_outside, login
from laomo.orgs.roles import Role

from .factories import worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_keeps_the_receipt_box_ticked_during_a_live_recheck(page, context, live_server, orgs):
    make_user("e_city", Role.CITY_STAFF, orgs["331100"])
    person = worker(orgs["331126"], "范海菊", "municipal", account=False)
    login(page, live_server, "e_city")
    page.goto(f"{live_server.url}/care/visits/new/?worker={person.worker_no}")
    assert page.input_value("#id_payment_method") == "cash"

    held = []

    def hold_rechecks(route):
        if route.request.method == "POST" and "_validate" in (route.request.post_data or ""):
            held.append(route)  # answered below, after the box is ticked
        else:
            route.fallback()

    page.route("**/care/visits/new/**", hold_rechecks)
    page.evaluate("document.getElementById('visit-form-fields').dataset.before = '1'")
    page.fill("#id_amount", "500")
    page.locator("#id_amount").dispatch_event("change")  # the re-check leaves with the box unticked
    page.locator("#visit-form-fields.htmx-request").wait_for()
    page.check("#id_receipt_signed")  # ticked while the re-check is on its way
    assert len(held) == 1
    held[0].continue_()
    page.locator("#visit-form-fields[data-before]").wait_for(state="detached")  # the fields were swapped
    assert page.input_value("#id_amount") == "500"
    assert page.is_checked("#id_receipt_signed")
    assert_nothing_from_outside(context)
