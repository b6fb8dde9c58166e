"""Spreadsheets of 关爱劳模: the same filtered, scoped queries as the pages; money as 2-place numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from laomo.core.excel import write_xlsx
from laomo.core.money import money_display

from .models import LEVEL_CHOICES
from .selectors import missing_types

LEVELS = dict(LEVEL_CHOICES)


def _chunks(qs, size: int = 2000):
    yield from qs.iterator(chunk_size=size)


def write_campaigns(target, campaigns, figures) -> int:
    headers = ["活动名称", "年度", "类型", "组织单位", "开始日期", "结束日期", "资金来源", "预算(元)", "名单人数",
               "计划金额(元)", "已发放(元)", "剩余预算(元)", "已慰问人数", "状态"]
    rows = []
    for c in campaigns:
        f = figures[c.pk]
        rows.append([c.name, c.year, c.get_visit_type_display(), c.org.name, c.start_date, c.end_date, c.fund_source,
                     c.budget, f["recipients"], f["planned"], f["paid"], c.budget - c.paid_total, f["visited"],
                     c.get_status_display()])
    return write_xlsx(target, headers, rows, sheet_name="慰问活动")


def write_recipients(target, qs) -> int:
    headers = ["劳模编号", "姓名", "所属单位", "荣誉级别", "困难劳模", "计划金额(元)", "名单状态", "来源", "调整原因",
               "已发放(元)", "慰问日期"]

    def rows():
        for r in _chunks(qs):
            yield [r.worker.worker_no, r.worker.name, r.org.name, r.level_label, "是" if r.in_hardship else "",
                   r.planned_amount, r.get_status_display(), r.get_source_display(), r.reason,
                   r.paid_amount if r.paid_amount is not None else "", r.paid_date or ""]

    return write_xlsx(target, headers, rows(), text_columns=["劳模编号"], sheet_name="慰问名单")


SHEET_HEADERS = ["序号", "劳模编号", "姓名", "所属单位", "荣誉级别", "困难劳模", "计划金额(元)", "实发金额(元)",
                 "发放方式", "开户银行", "银行账号", "发放日期", "签收单号", "本人签名", "备注"]


def payment_sheet_rows(rows, extra, *, full: bool) -> tuple[list[list], dict]:
    """Rows of the 发放表 and its totals (shared by the xlsx and the print view)."""
    out = []
    planned = paid = Decimal("0.00")
    n = 0
    for r in rows:
        v = r.visit
        n += 1
        planned += r.planned_amount
        if v is not None:
            paid += v.amount
        out.append([n, r.worker.worker_no, r.worker.name, r.org.short_name or r.org.name, r.level_label,
                    "是" if r.in_hardship else "", r.planned_amount, v.amount if v else "",
                    v.get_payment_method_display() if v else "", v.bank_name if v else "",
                    (v.bank_account if full else v.bank_account_masked) if v else "",
                    v.visit_date if v else "", v.receipt_no if v else "", "", r.reason if r.adjusted else ""])
    for v in extra:  # paid although no longer on the list (moved out after payment is refused; kept for safety)
        n += 1
        paid += v.amount
        out.append([n, v.worker.worker_no, v.worker.name, v.org.short_name or v.org.name, "", "", "", v.amount,
                    v.get_payment_method_display(), v.bank_name, v.bank_account if full else v.bank_account_masked,
                    v.visit_date, v.receipt_no, "", "不在名单"])
    return out, {"count": n, "planned": planned, "paid": paid}


def display_row(row: list) -> list[str]:
    """A 发放表 row as the print view shows it (money '1,234.50', dates 'YYYY-MM-DD')."""
    out = []
    for i, cell in enumerate(row):
        if i in (6, 7) and cell != "":
            out.append(money_display(cell))
        elif isinstance(cell, date):
            out.append(f"{cell:%Y-%m-%d}")
        else:
            out.append("" if cell is None else str(cell))
    return out


def write_payment_sheet(target, campaign, rows, extra, *, full: bool) -> tuple[int, dict]:
    body, totals = payment_sheet_rows(rows, extra, full=full)
    body.append(["合计", "", f"{totals['count']}人", "", "", "", totals["planned"], totals["paid"],
                 *([""] * 7)])
    count = write_xlsx(target, SHEET_HEADERS, body, text_columns=["劳模编号", "银行账号", "签收单号"],
                       sheet_name="发放表")
    return count - 1, totals


def write_visits(target, qs) -> int:
    headers = ["慰问日期", "劳模编号", "姓名", "所属单位", "慰问活动", "类型", "方式", "慰问人", "慰问金(元)", "慰问品",
               "发放方式", "开户银行", "银行账号", "签收单号", "备注", "状态"]

    def rows():
        for v in _chunks(qs):
            yield [v.visit_date, v.worker.worker_no, v.worker.name, v.org.name,
                   v.campaign.name if v.campaign_id else "",
                   v.get_visit_type_display(), v.get_method_display(), v.visitors, v.amount, v.goods,
                   v.get_payment_method_display(), v.bank_name, v.bank_account_masked, v.receipt_no, v.note,
                   f"已作废:{v.void_reason}" if v.is_void else "有效"]

    return write_xlsx(target, headers, rows(), text_columns=["劳模编号", "银行账号", "签收单号"], sheet_name="慰问记录")


def write_ledger(target, rows, totals, *, year, campaign_name: str) -> int:
    headers = ["单位", "名单人数", "计划金额(元)", "已发放(元)", "待发放(元)", "慰问人次", "发放人次"]
    body = [[r["org"].name, r["recipients"], r["planned"], r["paid"], r["unpaid"], r["visits"], r["paid_n"]]
            for r in rows]
    body.append(["合计", totals["recipients"], totals["planned"], totals["paid"], totals["unpaid"], totals["visits"],
                 totals["paid_n"]])
    return write_xlsx(target, headers, body, sheet_name=f"{year}年慰问台账"[:31]) - 1


def write_surveys(target, qs, *, details: bool) -> int:
    headers = ["调查", "走访日期", "劳模编号", "姓名", "所属单位", "核实方式", "家庭人口", "就业状况", "住房情况",
               "状态"]
    if details:
        headers += ["困难等级"]

    def rows():
        for s in _chunks(qs):
            row = [s.round.name, s.survey_date, s.worker.worker_no, s.worker.name, s.org.name,
                   s.get_verification_method_display(), s.household_size, s.get_employment_display(),
                   s.get_housing_type_display(), s.get_status_display()]
            if details:
                row.append(s.get_hardship_level_display() if s.status == "approved" else "")
            yield row

    return write_xlsx(target, headers, rows(), text_columns=["劳模编号"], sheet_name="困难劳模调查")


def write_hardship(target, rows) -> int:
    headers = ["劳模编号", "姓名", "所属单位", "荣誉级别", "困难等级", "最近调查日期", "困难起始", "此后慰问次数",
               "此后慰问金(元)", "此后落实待遇"]
    body = [[r.worker.worker_no, r.worker.name, r.worker.org.name, r.worker.highest_level_label,
             r.get_hardship_level_display(), r.survey_date, r.since or "", r.assist_visits, r.assist_amount,
             "、".join(r.assist_grants)] for r in rows]
    return write_xlsx(target, headers, body, text_columns=["劳模编号"], sheet_name="困难劳模信息库")


def write_not_surveyed(target, qs, year: int) -> int:
    headers = ["劳模编号", "姓名", "所属单位", "荣誉级别", "在职状态", "本年调查表"]
    status = {"draft": "草稿", "returned": "已退回"}

    def rows():
        for w in _chunks(qs):
            yield [w.worker_no, w.name, w.org.name, w.highest_level_label, w.get_employment_status_display(),
                   status.get(w.pending_status or "", "未填报")]

    return write_xlsx(target, headers, rows(), text_columns=["劳模编号"], sheet_name=f"{year}年未调查劳模")


def write_grants(target, qs) -> int:
    headers = ["待遇年度", "落实日期", "劳模编号", "姓名", "所属单位", "待遇", "金额(元)", "来源", "备注", "状态"]

    def rows():
        for g in _chunks(qs):
            yield [g.year, g.grant_date, g.worker.worker_no, g.worker.name, g.org.name, g.benefit_type.name,
                   g.amount if g.amount is not None else "", g.source_label, g.note,
                   f"已作废:{g.void_reason}" if g.is_void else "有效"]

    return write_xlsx(target, headers, rows(), text_columns=["劳模编号"], sheet_name="待遇落实记录")


def write_benefit_report(target, report, year: int) -> int:
    headers = ["劳模编号", "姓名", "所属单位", "荣誉级别", "在职状态", "未落实待遇"]

    def rows():
        for w in _chunks(report.missing):
            yield [w.worker_no, w.name, w.org.name, w.highest_level_label, w.get_employment_status_display(),
                   "、".join(t.name for t in missing_types(w, report.types))]

    return write_xlsx(target, headers, rows(), text_columns=["劳模编号"], sheet_name=f"{year}年待遇未落实")

