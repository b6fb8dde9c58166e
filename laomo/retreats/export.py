"""Spreadsheet rows of the retreats module: batch lists, application lists, the agency's roster, the
insurance list and vendors. PII (phones, ID numbers, health and diet notes) is written in full only
when the caller says the user may see it; otherwise masked."""

from laomo.core.idnumber import mask_id_number, mask_phone

from .models import LEVEL_LABEL_BY_RANK, ApplicationStatus
from .rules import age_on, shown_reasons
from .selectors import average

SEX = {"M": "男", "F": "女"}
ROSTER_STATUSES = (ApplicationStatus.CONFIRMED, ApplicationStatus.ATTENDED, ApplicationStatus.ABSENT)

BATCH_HEADERS = ["批次名称", "组织单位", "目的地", "出发日期", "返回日期", "天数", "承接旅行社/基地", "名额", "已确定",
                 "待审核", "候补", "已参加", "人均费用(元)", "预算(元)", "领队", "状态"]


def batch_rows(qs):
    for b in qs.iterator(chunk_size=500):
        yield [b.name, b.org.name, b.destination, b.start_date, b.end_date, b.days, b.vendor.name if b.vendor else "",
               b.capacity, b.seats, b.pending, b.waitlisted, b.attended, b.cost_per_person, b.budget, b.leader_name,
               b.get_status_display()]


APPLICATION_HEADERS = ["批次", "出发日期", "劳模编号", "姓名", "所属单位", "最高荣誉级别", "报名方式", "一线/艰苦岗位",
                       "优先分", "优先依据", "状态", "原因", "报名时间"]


def priority_text(reasons) -> str:
    return ";".join(f"{r['text']}{' +' + str(r['points']) if r['points'] else ''}" for r in reasons or [])


def application_rows(qs, *, may_reveal: bool):
    for a in qs.iterator(chunk_size=500):
        yield [a.batch.name, a.batch.start_date, a.worker.worker_no, a.worker.name, a.org.name,
               LEVEL_LABEL_BY_RANK.get(a.level_rank, ""), a.get_channel_display(), a.front_line, a.priority_score,
               priority_text(shown_reasons(a.priority_reasons, may_reveal=may_reveal)), a.get_status_display(),
               a.reason, a.created_at]


ROSTER_HEADERS = ["序号", "姓名", "性别", "年龄", "联系电话", "所属单位", "饮食禁忌", "健康状况说明", "状态"]
ROSTER_TEXT = ["联系电话"]


def _note(value: str, full: bool) -> str:
    if not value:
        return ""
    return value if full else "***(无权查看)"


def roster_rows(apps, batch, *, full: bool):
    for i, a in enumerate(apps, start=1):
        w = a.worker
        yield [i, w.name, SEX.get(w.sex, ""), age_on(w.birth_date, batch.start_date) or "",
               (w.phone if full else w.phone_masked) or "", a.org.name, _note(a.dietary_note, full),
               _note(a.health_note, full), a.get_status_display()]


INSURANCE_HEADERS = ["序号", "姓名", "性别", "出生日期", "年龄", "证件类型", "证件号码", "联系电话", "出行日期"]
INSURANCE_TEXT = ["证件号码", "联系电话", "出生日期"]


def insurance_rows(apps, batch, *, full_phone: bool, full_id: bool):
    for i, a in enumerate(apps, start=1):
        w = a.worker
        yield [i, w.name, SEX.get(w.sex, ""), w.birth_date.strftime("%Y-%m-%d") if w.birth_date else "",
               age_on(w.birth_date, batch.start_date) or "", "居民身份证" if w.id_number_masked else "",
               (w.id_number if full_id else mask_id_number(w.id_number)) or "",
               (w.phone if full_phone else mask_phone(w.phone)) or "",
               f"{batch.start_date:%Y-%m-%d}至{batch.end_date:%Y-%m-%d}"]


VENDOR_HEADERS = ["名称", "类型", "签约单位", "联系人", "联系电话", "合同编号", "合同起始日", "合同终止日", "最近考察",
                  "合作中", "承接批次", "问卷数", "总体满意度"]
VENDOR_TEXT = ["联系电话", "合同编号"]


def vendor_rows(qs):
    for v in qs.iterator(chunk_size=500):
        rating = average(v.overall_total, v.response_count)
        yield [v.name, v.get_kind_display(), v.org.name, v.contact_person, v.contact_phone, v.contract_no,
               v.contract_start, v.contract_end, v.inspected_on, v.is_active, v.batch_count, v.response_count,
               str(rating) if rating is not None else ""]
