"""Quarterly reports and yearly assessments of a studio."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from laomo.core import audit
from laomo.core.actors import person
from laomo.core.money import parse_money
from laomo.core.services import notify
from laomo.core.years import check_year
from laomo.orgs.selectors import staff_responsible_for

from ..models import LIVE_STATUSES, AssessmentResult, QuarterlyReport, Studio, YearlyAssessment
from .common import check_may_edit, iso, not_future, raise_if, required

REPORT_COUNTS = ("activities", "participants", "trainees", "problems_solved")


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year, 12, 31) if quarter == 4 else date(year, 3 * quarter + 1, 1) - timedelta(days=1)
    return start, end


def _year(value, errors: dict, field: str = "year", label: str = "年度"):
    try:
        return check_year(value, field, label=label)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


def _check_quarter(studio: Studio, year: int, quarter: int, errors: dict) -> None:
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = "季度须为 1–4。"
        return
    start, end = quarter_bounds(year, quarter)
    if start > timezone.localdate():
        errors["quarter"] = f"{year}年第{quarter}季度尚未开始,不能报送。"
    elif end < studio.founded_date:
        errors["quarter"] = f"工作室创建于 {studio.founded_date:%Y-%m-%d},该季度无需报送。"
    elif studio.revoked_date and start > studio.revoked_date:
        errors["quarter"] = "工作室已撤销,撤销之后的季度无需报送。"
    elif QuarterlyReport.objects.filter(studio=studio, year=year, quarter=quarter).exists():
        errors["quarter"] = f"{year}年第{quarter}季度报告已报送。"


def _funds(value, errors: dict) -> Decimal:
    try:
        return parse_money(value, field="funds_spent", label="经费投入")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return Decimal("0.00")


@transaction.atomic
def report_submit(*, actor, studio: Studio, year: int, quarter: int, summary: str, next_plan: str = "",
                  activities: int = 0, participants: int = 0, trainees: int = 0, problems_solved: int = 0,
                  funds_spent=0) -> QuarterlyReport:
    """A quarterly report (text and figures); one per studio and quarter, for a quarter already begun."""
    check_may_edit(actor, studio.org)
    errors: dict = {}
    year = _year(year, errors)
    if year is not None:
        _check_quarter(studio, year, quarter, errors)
    required(errors, "summary", summary, "请填写工作小结。")
    counts = {"activities": activities, "participants": participants, "trainees": trainees,
              "problems_solved": problems_solved}
    for field, value in counts.items():
        if value is None or int(value) < 0:
            errors[field] = "请填写不小于 0 的整数。"
    funds = _funds(funds_spent, errors)
    raise_if(errors)
    report = QuarterlyReport(studio=studio, year=year, quarter=quarter, summary=summary.strip(),
                             next_plan=(next_plan or "").strip(), funds_spent=funds, **counts,
                             submitted_date=timezone.localdate(), submitted_by=person(actor))
    report.full_clean()
    report.save()
    audit.record(actor=actor, action="studios.report.submit", obj=report, org=studio.org,
                 object_repr=f"{studio.name} {report}", changes={**counts, "funds_spent": iso(funds)})
    return report


def _check_assessment_year(studio: Studio, year, errors: dict):
    year = _year(year, errors, label="考核年度")
    if year is None:
        return None
    if year < studio.founded_date.year:
        errors["year"] = f"工作室创建于 {studio.founded_date.year} 年,不能考核更早的年度。"
    elif year > timezone.localdate().year:
        errors["year"] = "不能考核未来的年度。"
    elif studio.revoked_date and year > studio.revoked_date.year:
        errors["year"] = "工作室已撤销,不能考核撤销之后的年度。"
    elif YearlyAssessment.objects.filter(studio=studio, year=year).exists():
        errors["year"] = f"{year}年度考核已登记。"
    return year


def _score(score, errors: dict):
    try:
        score = Decimal(str(score)) if score not in (None, "") else None
    except InvalidOperation:
        errors["score"] = "得分格式不正确。"
        return None
    if score is None:
        errors.setdefault("score", "请填写得分。")
    elif not (0 <= score <= 100) or score != score.quantize(Decimal("0.1")):
        errors["score"] = "得分须在 0–100 之间,最多一位小数。"
    return score


@transaction.atomic
def assessment_record(*, actor, studio: Studio, year: int, score, result: str, assessed_date: date | None,
                      comment: str = "", assessor: str = "") -> YearlyAssessment:
    """The yearly assessment (score 0–100, 优秀/合格/不合格). A 不合格 result notifies the responsible staff."""
    check_may_edit(actor, studio.org)
    errors: dict = {}
    year = _check_assessment_year(studio, year, errors)
    score = _score(score, errors)
    if result not in AssessmentResult.values:
        errors["result"] = "请选择考核结果。"
    if assessed_date is None:
        errors["assessed_date"] = "请填写考核日期。"
    else:
        not_future(errors, "assessed_date", assessed_date, "考核日期")
        if year and "year" not in errors and assessed_date < date(year, 1, 1):  # a refused year may be no date
            errors.setdefault("assessed_date", "考核日期不能早于考核年度。")
    raise_if(errors)
    assessment = YearlyAssessment(studio=studio, year=year, score=score, result=result, comment=comment.strip(),
                                  assessor=assessor.strip(), assessed_date=assessed_date)
    assessment.full_clean()
    assessment.save()
    audit.record(actor=actor, action="studios.assessment.record", obj=assessment, org=studio.org,
                 object_repr=f"{studio.name} {assessment}", changes={"score": iso(score), "result": result})
    if result == AssessmentResult.FAIL and studio.status in LIVE_STATUSES:
        notify(recipients=staff_responsible_for(studio.org),
               text=f"{studio.name} {year}年度考核不合格,请按规定调整或启动复核、撤销",
               url=reverse("studios:detail", args=[studio.pk]))
    return assessment
