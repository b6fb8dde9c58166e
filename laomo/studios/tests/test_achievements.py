"""Achievements (Decimal benefit ≥ 0, patent numbers, credited members, evidence files) and the studio flags."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from laomo.core import dictionary
from laomo.core.actors import SYSTEM
from laomo.studios import selectors, services
from laomo.studios.forms import AchievementForm
from laomo.studios.models import Studio, StudioAchievement

from .factories import PDF_BYTES, png_bytes, studio, worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def s(orgs):
    return studio(orgs["331102"], worker(orgs["331102"], "市劳模", "丽水市劳动模范"), founded=date(2018, 3, 1))


def add(s, **kwargs):
    kwargs = {"kind": "innovation", "title": "工装夹具改进", "achieved_date": date(2022, 5, 1), **kwargs}
    return services.achievement_add(actor=SYSTEM, studio=s, **kwargs)


@pytest.mark.parametrize(("value", "stored"), [
    ("123456.78", Decimal("123456.78")), ("0", Decimal("0.00")), ("1,200.5", Decimal("1200.50")),
    (Decimal("99.9"), Decimal("99.90")), (None, None), ("", None),
])
def test_it_stores_the_benefit_as_exact_decimal(s, value, stored):
    a = add(s, economic_benefit=value)
    a.refresh_from_db()
    assert a.economic_benefit == stored


@pytest.mark.parametrize(("value", "message"), [
    ("-0.01", "经济效益不能为负数。"), ("-500", "经济效益不能为负数。"),
    ("12.345", "经济效益最多保留两位小数(精确到分)。"), ("十万", "经济效益格式不正确,请填写数字(元)。"),
    ("1e20", "经济效益过大。"),
])
def test_it_refuses_a_bad_benefit(s, value, message):
    with pytest.raises(ValidationError) as exc:
        add(s, economic_benefit=value)
    assert exc.value.message_dict["economic_benefit"] == [message]
    assert not StudioAchievement.objects.exists()


def test_it_refuses_a_negative_benefit_in_the_database_too(s):
    a = add(s, economic_benefit="10")
    with pytest.raises(IntegrityError), transaction.atomic():
        StudioAchievement.objects.filter(pk=a.pk).update(economic_benefit=Decimal("-1"))


def test_it_requires_a_patent_number_for_a_patent_only(s):
    with pytest.raises(ValidationError) as exc:
        add(s, kind="patent", title="一种装置")
    assert exc.value.message_dict["patent_no"] == ["专利成果须填写专利号(如 ZL202110123456.7)。"]
    patent = add(s, kind="patent", title="一种装置", patent_no=" zl 202110123456.7 ")
    assert patent.patent_no == "ZL202110123456.7"
    assert add(s, kind="paper", title="论文", patent_no="ZL1").patent_no == ""


def test_it_checks_dates_kind_and_credits(orgs, s):
    other = studio(orgs["331102"], worker(orgs["331102"], "另一劳模", "丽水市劳动模范"), name="另一工作室")
    cases = [
        ({"achieved_date": date(2018, 2, 28)}, "achieved_date", "取得日期不能早于工作室创建日期 2018-03-01。"),
        ({"achieved_date": date(2099, 1, 1)}, "achieved_date", "取得日期不能晚于今天。"),
        ({"kind": "book"}, "kind", "请选择成果类别。"),
        ({"title": ""}, "title", "请填写成果名称。"),
        ({"credited": [other.members.get()]}, "credited", "完成人必须是本工作室的成员。"),
    ]
    for kwargs, field, message in cases:
        with pytest.raises(ValidationError) as exc:
            add(s, **kwargs)
        assert exc.value.message_dict[field] == [message]
    member = services.member_add(actor=SYSTEM, studio=s, name="陈工")
    a = add(s, credited=[s.members.get(role="lead"), member])
    assert sorted(m.name for m in a.credited.all()) == ["市劳模", "陈工"]


def test_it_withdraws_with_a_reason(s):
    a = add(s)
    with pytest.raises(ValidationError):
        services.achievement_withdraw(actor=SYSTEM, achievement=a, reason="")
    services.achievement_withdraw(actor=SYSTEM, achievement=a, reason="重复登记")
    assert not selectors.achievements_of(s).exists() and StudioAchievement.objects.get(pk=a.pk).is_deleted


def test_it_reencodes_an_image_under_a_non_guessable_name_with_a_thumbnail(s):
    original = png_bytes() + b"<script>alert(1)</script>"  # trailing bytes are dropped by re-encoding
    a = add(s, evidence=SimpleUploadedFile("获奖证书.png", original, content_type="image/png"))
    assert a.evidence_name == "获奖证书.png" and a.evidence_type == "image/png"
    assert re.fullmatch(r"studios/evidence/[0-9a-f]{2}/[0-9a-f]{32}\.png", a.evidence.name)
    assert "获奖" not in a.evidence.name
    stored = a.evidence.read()
    assert stored != original and b"<script>" not in stored and a.evidence_size == len(stored)
    assert Image.open(io.BytesIO(stored)).size == (64, 48)
    assert Image.open(a.evidence_thumb).format == "JPEG"
    second = add(s, evidence=SimpleUploadedFile("获奖证书.png", png_bytes(), content_type="image/png"))
    assert second.evidence.name != a.evidence.name


def test_it_keeps_a_pdf_as_it_is(s):
    a = add(s, evidence=SimpleUploadedFile("验收报告.PDF", PDF_BYTES, content_type="application/pdf"))
    assert a.evidence.read() == PDF_BYTES and a.evidence.name.endswith(".pdf") and not a.evidence_thumb


@pytest.mark.parametrize(("name", "data", "message"), [
    ("tool.exe", b"MZ\x90\x00", "佐证材料只能上传 PDF、JPG 或 PNG 文件。"),
    ("证书.pdf", png_bytes(), "文件内容与扩展名 .pdf 不符,请上传真实的 PDF、JPG 或 PNG 文件。"),
    ("照片.jpg", PDF_BYTES, "文件内容与扩展名 .jpg 不符,请上传真实的 PDF、JPG 或 PNG 文件。"),
    ("坏图.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "图片已损坏或格式不正确,无法读取。"),
    ("空.pdf", b"", "佐证材料是空文件。"),
    ("无扩展名", PDF_BYTES, "佐证材料只能上传 PDF、JPG 或 PNG 文件。"),
])
def test_it_refuses_files_of_the_wrong_type(s, name, data, message):
    with pytest.raises(ValidationError) as exc:
        add(s, evidence=SimpleUploadedFile(name, data))
    assert exc.value.message_dict["evidence"] == [message]
    assert not StudioAchievement.objects.exists()


def test_it_refuses_files_over_the_size_limit(s, settings):
    settings.LAOMO_EVIDENCE_MAX_BYTES = 1024 * 1024
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        add(s, evidence=SimpleUploadedFile("大文件.pdf", big))
    assert exc.value.message_dict["evidence"] == ["佐证材料过大(上限 1 MB)。"]


def test_it_attaches_evidence_later(s):
    a = add(s)
    services.achievement_attach_evidence(actor=SYSTEM, achievement=a,
                                         evidence=SimpleUploadedFile("scan.jpg", _jpeg()))
    a.refresh_from_db()
    assert a.evidence_type == "image/jpeg" and a.evidence.name.endswith(".jpg") and a.evidence_thumb


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 30), (0, 90, 0)).save(out, format="JPEG")
    return out.getvalue()


# --- flags ------------------------------------------------------------------------------------------------------


def flags(s, year):
    one = Studio.objects.annotate(**selectors.flag_annotations(year)).select_related("lead").get(pk=s.pk)
    return [code for code, _ in selectors.flags_of(one, year)]


def flagged(s, year, flag):
    return Studio.objects.annotate(**selectors.flag_annotations(year)).filter(
        selectors.flag_q(flag, year)).filter(pk=s.pk).exists()


def test_it_flags_a_year_without_a_project(s):
    assert flags(s, 2022) == ["no_project", "no_result"]
    services.project_add(actor=SYSTEM, studio=s, title="跨年项目", start_date=date(2021, 6, 1), status="concluded",
                         end_date=date(2022, 1, 1))
    assert "no_project" not in flags(s, 2021) and "no_project" not in flags(s, 2022)
    assert "no_project" in flags(s, 2023)
    assert flagged(s, 2023, "no_project") and not flagged(s, 2022, "no_project")


def test_it_flags_two_years_without_a_recognized_result(orgs, s):
    add(s, achieved_date=date(2020, 12, 31))
    assert "no_result" in flags(s, 2022) and flagged(s, 2022, "no_result")
    assert "no_result" not in flags(s, 2021)
    add(s, achieved_date=date(2021, 6, 1), is_recognized=False)  # not recognized: does not count
    withdrawn = add(s, achieved_date=date(2022, 6, 1))
    services.achievement_withdraw(actor=SYSTEM, achievement=withdrawn, reason="错误")  # withdrawn: does not count
    assert "no_result" in flags(s, 2022)
    add(s, achieved_date=date(2021, 1, 1))
    assert "no_result" not in flags(s, 2022) and not flagged(s, 2022, "no_result")
    assert "no_result" in flags(s, 2023)
    young = studio(orgs["331102"], worker(orgs["331102"], "新劳模", "丽水市劳动模范"), name="新工作室",
                   founded=date(2021, 6, 1))
    assert "no_result" not in flags(young, 2022)  # still in its first two-year cycle


def test_it_flags_a_failed_assessment_and_a_low_lead(orgs, s):
    services.assessment_record(actor=SYSTEM, studio=s, year=2021, score="50", result="fail",
                               assessed_date=date(2022, 1, 10))
    assert "failed" in flags(s, 2021) and "failed" in flags(s, 2022) and "failed" not in flags(s, 2020)
    services.assessment_record(actor=SYSTEM, studio=s, year=2022, score="80", result="pass",
                               assessed_date=date(2023, 1, 10))
    assert "failed" not in flags(s, 2022) and flagged(s, 2021, "failed")
    low = studio(orgs["331102"], worker(orgs["331102"], "县劳模", "莲都区劳动模范"), name="县级领衔工作室")
    assert "lead_low" in flags(low, 2022) and "lead_low" not in flags(s, 2022)


def test_it_does_not_flag_a_revoked_studio(s):
    s = services.studio_transition(actor=SYSTEM, studio=s, to_status="revoked", date=date(2021, 1, 1), reason="撤销")
    assert flags(s, 2022) == [] and not flagged(s, 2022, "no_project")


# --- kinds from the data dictionary ----------------------------------------------------------------------------


def test_the_seven_kinds_are_seeded_in_order(orgs):
    assert dictionary.choices("achievement_kind") == [
        ("patent", "专利"), ("innovation", "技术革新"), ("qc", "QC成果"), ("method", "工法"), ("standard", "标准"),
        ("award", "获奖"), ("paper", "论文")]
    assert "achievement_kind" in {k.code for k in dictionary.kinds()}


def test_a_kind_a_clerk_adds_appears_in_the_forms_lists_and_exports(orgs, users, s, clients):
    kind = dictionary.item_save(actor=users["city_staff"], kind_code="achievement_kind", code="software",
                                label="软件著作权", sort_order=80)
    assert ("software", "软件著作权") in AchievementForm(members=s.members.all()).fields["kind"].choices
    add(s, kind="software", title="调度软件 V1.0")
    page = clients["county_staff"].get("/studios/achievements/", {"kind": "software"}).content.decode()
    assert "软件著作权" in page and "调度软件 V1.0" in page
    assert "软件著作权" in clients["county_staff"].get(f"/studios/{s.pk}/").content.decode()
    dictionary.item_save(actor=users["city_staff"], item=kind, is_active=False)
    with pytest.raises(ValidationError) as exc:
        add(s, kind="software", title="调度软件 V2.0")
    assert exc.value.message_dict["kind"] == ["请选择成果类别。"]
    # A retired kind keeps its label on old records and in the list filter.
    assert "软件著作权" in clients["county_staff"].get("/studios/achievements/").content.decode()
