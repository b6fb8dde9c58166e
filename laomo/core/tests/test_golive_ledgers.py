"""Going live with years of ledgers (issue 13, what it must show): a folder of messy ledgers, one per kind,
imported through the pages into a go-live database gives, for each past year, the summary figures the sample
functions compute from the files; importing again changes nothing; the error reports name every bad row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from laomo.core.excel import read_table
from laomo.core.models import Job
from laomo.core.tests.ledgers import figure as _figure
from laomo.orgs.roles import Role
from laomo.reports.selectors import summary

from .ledger_kinds import SAMPLES
from .ledgers import PEOPLE, person_id, write_ledger

ROSTER_HEADER = ["序号", "姓名", "公民身份号码", "县(市、区)", "荣誉称号", "表彰年份"]


def _roster(folder):
    return write_ledger(folder, "劳模名册", "丽水市劳动模范花名册", ROSTER_HEADER, [
        [i, name, person_id(p), unit, "丽水市劳动模范", 2015] for i, p in enumerate(PEOPLE, 1)
        for name, _, unit, *_ in [p]])


def _upload(client, url_name, args, path, org, capture):
    with capture(execute=True), open(path, "rb") as fh:
        response = client.post(reverse(url_name, args=args), {"file": fh, "org": org.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    assert job.status == "done", job.error
    return job


def _import(client, kind, path, org, capture) -> tuple[dict, dict]:
    preview = _upload(client, "core:import_upload", [kind], path, org, capture)
    with capture(execute=True):
        response = client.post(reverse("core:import_commit", args=[kind, preview.pk]))
    job = Job.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    assert job.status == "done", job.error
    return preview.result, job.result


def _add(before, value, key: str):
    """Two ledgers' shares of one figure (an average is given by one ledger only)."""
    if before is None or key.endswith("average_rating") or key.endswith("average_satisfaction"):
        return value
    if isinstance(value, str):
        return str(Decimal(before) + Decimal(value))
    return before + value


def _same(actual, expected) -> bool:
    if isinstance(expected, str | Decimal) or isinstance(actual, str | Decimal):
        return Decimal(str(actual)) == Decimal(str(expected))
    return actual == expected


@pytest.mark.django_db
def test_it_takes_in_years_of_ledgers_and_the_figures_add_up(tmp_path, orgs, clients, users,
                                                             django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    client, root = clients[Role.CITY_STAFF], orgs["331100"]
    roster = _upload(client, "workers:import", [], _roster(tmp_path), root, capture)
    with capture(execute=True):
        client.post(reverse("workers:import_commit", args=[roster.pk]))

    expected: dict[int, dict] = {}
    files = {}
    for kind, sample in SAMPLES:
        path, figures = sample(tmp_path)
        files[kind] = path
        for year, values in figures.items():
            year_figures = expected.setdefault(year, {})
            for key, value in values.items():
                year_figures[key] = _add(year_figures.get(key), value, key)
        preview, done = _import(client, kind, path, root, capture)
        assert {k: done[k] for k in ("created", "updated", "rejected_rows")} == {
            k: preview[k] for k in ("created", "updated", "rejected_rows")}, kind
        assert done["rejected_rows"] >= 1, f"{kind}: the sample has bad rows"

    assert {2022, 2023} <= set(expected), "the samples span past years"
    assert {path.split(".")[0] for values in expected.values() for path in values} >= {
        "outreach", "volunteering", "care", "retreats", "studios"}
    for year, values in sorted(expected.items()):
        figures = summary(user=users[Role.CITY_STAFF], year=year, org=root)
        wrong = {path: (_figure(figures, path), value) for path, value in values.items()
                 if not _same(_figure(figures, path), value)}
        assert not wrong, f"{year}: (figure, expected from the files) {wrong}"

    for kind, path in files.items():  # again: nothing changes, and the error report names every bad row
        preview, done = _import(client, kind, path, root, capture)
        assert (done["created"], done["updated"]) == (0, 0), kind
        job = Job.objects.filter(kind="core.import", params__kind=kind, params__dry_run=True).latest("created_at")
        written = read_table(job.result_file)
        flagged = {i + 1 for i, row in enumerate(written) if i and any(
            m and not m.startswith("提示") for m in (row[-1] or "").split("\n"))}
        assert len(flagged) == done["rejected_rows"], (kind, flagged)
    for year, values in sorted(expected.items()):
        figures = summary(user=users[Role.CITY_STAFF], year=year, org=root)
        assert all(_same(_figure(figures, p), v) for p, v in values.items()), year
