"""The annual report written from the data: every number in its text is the figure of the summary API."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from conftest import login_client
from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.reports import annual
from laomo.reports.tests.test_workspace import everything  # noqa: F401  (the shared fixture)

pytestmark = pytest.mark.django_db
ARTEFACTS = Path(__file__).resolve().parents[3] / "test-results" / "annual-report"


def _text(path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _num(text: str) -> str:
    return text.replace(",", "")


def _expected(summary: dict) -> list[tuple[str, object]]:
    """(pattern with one group, the summary's value) for every figure a sentence carries."""
    w, o, v, c, r, s = (summary[k] for k in ("workers", "outreach", "volunteering", "care", "retreats", "studios"))
    return [
        (r"在册劳模([\d,]+)人,", w["total"]), (r"其中全国级([\d,]+)人", w["by_level"]["national"]),
        (r"省部级([\d,]+)人", w["by_level"]["provincial"]), (r"、市级([\d,]+)人", w["by_level"]["municipal"]),
        (r"县级([\d,]+)人", w["by_level"]["county"]), (r"认定困难劳模([\d,]+)人", w["in_hardship"]),
        (r"全年开展宣讲([\d,]+)场", o["lectures"]), (r"受众([\d,]+)人次", o["audience"]),
        (r"“班前十分钟”([\d,]+)场", o["pre_shift_sessions"]), (r"线上新增观看([\d,]+)人次", o["online_views"]),
        (r"累计观看([\d,]+)人次", o["online_views_cumulative"]),
        (r"志愿服务队([\d,]+)支", v["teams"]), (r"开展服务([\d,]+)次", v["service_records"]),
        (r"服务群众([\d,]+)人次", v["person_times"]), (r"志愿服务时长([\d,.]+)小时", v["volunteer_hours"]),
        (r"受理([\d,]+)件", v["requests"]["received"]), (r"完成([\d,]+)件", v["requests"]["completed"]),
        (r"创新工作室([\d,]+)个", s["studios"]), (r"师徒结对([\d,]+)对", s["mentorships"]),
        (r"走访慰问劳模([\d,]+)人次", c["visits"]), (r"涉及劳模([\d,]+)人", c["workers_visited"]),
        (r"发放慰问金([\d,.]+)元", c["amount"]), (r"困难劳模走访调查([\d,]+)人", c["hardship_surveyed"]),
        (r"疗休养([\d,]+)批次", r["batches"]), (r"批次、([\d,]+)人", r["participants"]),
    ]


@pytest.mark.parametrize("year", [2022, 2023])
def test_it_writes_every_number_from_the_summary(everything, users, client, tmp_path, year):  # noqa: F811
    token = api_token_create(actor=SYSTEM, user=users["city_staff"])[1]
    summary = client.get(f"/api/v1/reports/summary?year={year}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    report = annual.build(user=users["city_staff"], year=year, org=users["city_staff"].org)
    annual.render_docx(report, tmp_path / "report.docx")
    text = _text(tmp_path / "report.docx")
    assert f"丽水市总工会{year}年劳模工作总结" in text
    for pattern, value in _expected(summary):
        found = re.search(pattern, text)
        assert found, pattern
        assert _num(found.group(1)) == _num(str(value)), (pattern, found.group(1), value)
    # The table by unit: the 合计 row is the city's figures.
    total_row = [row for row in Document(str(tmp_path / "report.docx")).tables[0].rows if row.cells[0].text == "合计"]
    assert _num(total_row[0].cells[1].text) == str(summary["workers"]["total"])
    assert "{{" not in text and "{%" not in text


def test_it_names_the_highlights_of_the_year(everything, users):  # noqa: F811
    report = annual.build(user=users["city_staff"], year=2022, org=users["city_staff"].org)
    text = "\n".join(p for s in report.sections for p in s.paragraphs)
    assert "新获评荣誉" in text and "丽水市先进工作者:己" in text
    assert "为全年服务人次最多的服务队" in text and "医疗卫生服务队服务100人次" in text
    assert "为全年观看最多的作品" in text
    assert report.sections[1].chart is not None and report.sections[1].chart.startswith(b"\x89PNG")


def test_it_renders_a_pdf_with_chinese_text(everything, users):  # noqa: F811
    report = annual.build(user=users["city_staff"], year=2022, org=users["city_staff"].org)
    pdf = annual.render_pdf(report)
    assert pdf.startswith(b"%PDF")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "report-2022.pdf").write_bytes(pdf)
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed (make test installs it)")
    text = subprocess.run(["pdftotext", "-layout", str(ARTEFACTS / "report-2022.pdf"), "-"], capture_output=True,
                          check=True, text=True).stdout
    assert "丽水市总工会2022年劳模工作总结" in text and "全年开展宣讲" in text
    fonts = subprocess.run(["pdffonts", str(ARTEFACTS / "report-2022.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"WenQuanYi|Noto", fonts), fonts
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(ARTEFACTS / "report-2022.pdf"), str(ARTEFACTS / "page")],
                   check=True)
    assert list(ARTEFACTS.glob("page-*.png"))


def test_it_generates_the_report_from_the_workspace_as_a_job(everything, users, django_capture_on_commit_callbacks):  # noqa: F811
    client = login_client(users["county_staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/annual/", {"year": 2022, "fmt": "docx"})
    assert response.status_code == 302
    job_page = client.get(response["Location"])
    job = job_page.context["job"]
    assert job.status == "done", job.error
    download = client.get(f"/core/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert "莲都区" in job.result_filename and job.result_filename.endswith(".docx")
    refused = client.post("/reports/annual/", {"year": 2022, "fmt": "docx", "org": "331126"})
    assert refused.status_code == 403
