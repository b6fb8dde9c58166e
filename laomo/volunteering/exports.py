"""The spreadsheets of the volunteering lists: what each export holds, column by column.

Views hand them to `laomo.core.web.xlsx_response`, which writes and audits the download
(`volunteering.list.export`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from laomo.core.web import xlsx_response

from . import selectors
from .models import CATEGORY_CHOICES

CHUNK = 1000


@dataclass
class Sheet:
    what: str
    filename: str
    headers: list[str]
    rows: object
    text_columns: list[str] = field(default_factory=list)

    def response(self, request):
        return xlsx_response(request, filename=self.filename, action="volunteering.list.export", what=self.what,
                             headers=self.headers, rows=self.rows, text_columns=self.text_columns,
                             object_type=f"volunteering.{self.what}")


def teams(qs) -> Sheet:
    rows = ([t.name, t.get_team_type_display(), t.parent.name if t.parent_id else "", t.org.name, t.base,
             str(t.leader) if t.leader_id else "", t.member_count, t.founded_on,
             "在册" if t.is_active else f"已撤销({t.dissolved_on})"] for t in qs.iterator(chunk_size=500))
    return Sheet("服务队", "志愿服务队", ["队伍名称", "服务类型", "上级服务队", "所属单位", "服务阵地", "队长",
                                      "在队人数", "成立日期", "状态"], rows)


def _record_rows(records):
    volunteers = selectors.volunteers_for(records)
    for r in records:
        vols = volunteers[r.pk]
        yield [r.date, r.team.name if r.team_id else (r.mobilization.name if r.mobilization_id else ""),
               r.get_team_type_display(), r.org.name, r.get_place_kind_display(), r.place, r.content, r.person_times,
               "、".join(f"{v.name}{'(' + v.worker.worker_no + ')' if v.worker_id else ''}:{v.hours}" for v in vols),
               sum((v.hours for v in vols), start=0)]


def _chunked_records(qs):
    chunk = []
    for r in qs.iterator(chunk_size=CHUNK):
        chunk.append(r)
        if len(chunk) == CHUNK:
            yield from _record_rows(chunk)
            chunk = []
    yield from _record_rows(chunk)


def records(qs) -> Sheet:
    return Sheet("服务记录", "志愿服务记录", ["服务日期", "服务队/行动", "服务类型", "记录单位", "场所类型", "服务地点",
                                         "服务内容", "服务人次", "志愿者(劳模编号:时长)", "总时长(小时)"],
                 _chunked_records(qs))


def hours(qs, year: int) -> Sheet:
    rows = ([r["worker__worker_no"], r["worker__name"], r["worker__org__name"], r["records"], r["hours"]]
            for r in qs.iterator())
    return Sheet("志愿时长", f"{year}年志愿服务时长",
                 ["劳模编号", "姓名", "管理单位", "服务次数", "志愿服务时长(小时)"], rows, ["劳模编号"])


def requests(qs) -> Sheet:
    cats = dict(CATEGORY_CHOICES)
    rows = ([r.tracking_code, timezone.localtime(r.received_at), r.get_channel_display(), r.org.name, r.town,
             r.village, cats.get(r.category, r.category), r.description, r.contact_name_masked,
             r.contact_phone_masked, r.get_status_display(), r.assignee_label, r.promised_date,
             timezone.localtime(r.completed_at) if r.completed_at else None, r.rating, r.rating_comment]
            for r in qs.iterator(chunk_size=CHUNK))
    return Sheet("群众点单", "群众点单",
                 ["查询码", "受理时间", "来源", "受理单位", "乡镇(街道)", "村(社区)", "服务类别", "需求描述", "联系人",
                  "联系电话", "状态", "派单对象", "承诺完成日期", "完成时间", "评分", "评价"],
                 rows, ["查询码", "联系电话"])


def mobilizations(qs) -> Sheet:
    rows = ([m.name, m.get_kind_display(), m.org.name, m.get_team_type_display(), m.start_date, m.end_date,
             m.area, m.roster_count, m.record_count] for m in qs.iterator())
    return Sheet("应急专项行动", "应急专项行动", ["行动名称", "类型", "组织单位", "服务类型", "开始日期", "结束日期",
                                            "区域", "值守人数", "服务记录数"], rows)


def certificates(qs) -> Sheet:
    rows = ([c.number, c.worker.worker_no, c.worker.name, c.org.name, c.period_from, c.period_to, c.record_count,
             c.total_hours, c.issued_on, "已作废" if c.is_void else "有效"] for c in qs.iterator())
    return Sheet("志愿服务记录证明", "志愿服务记录证明", ["证明编号", "劳模编号", "姓名", "出具单位", "起始日期",
                                                    "截止日期", "服务次数", "志愿服务时长(小时)", "出具日期", "状态"],
                 rows, ["证明编号", "劳模编号"])
