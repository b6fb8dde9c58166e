"""The lecture ledger (宣讲台账) importer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from laomo.core.importing import Column, Importer, Plan, Row, bulk_update, register

from ..models import Lecture, LectureFormat, LectureSpeaker, LectureStatus, VenueType
from ..services.common import WHAT
from .common import UNIT

# Venue type words as clerks write them; the first match wins, so the narrower words come first.
VENUE_WORDS = [
    (("线上", "网络", "直播", "云"), VenueType.ONLINE),
    (("学校", "中学", "小学", "大学", "学院", "职校", "幼儿园", "校园"), VenueType.SCHOOL),
    (("医院", "卫生院", "卫健"), VenueType.HOSPITAL),
    (("社区", "街道", "小区"), VenueType.COMMUNITY),
    (("村", "乡", "镇", "农村", "农户"), VenueType.VILLAGE),
    (("企业", "公司", "厂", "车间", "集团", "非公"), VenueType.ENTERPRISE),
    (("机关", "政府", "局", "委", "办", "单位", "部门", "党校"), VenueType.AGENCY),
]
FORMAT_WORDS = [
    (("报告",), LectureFormat.REPORT), (("座谈", "访谈", "分享会"), LectureFormat.SYMPOSIUM),
    (("现场", "实训", "教学"), LectureFormat.ONSITE), (("直播", "线上"), LectureFormat.LIVE),
    (("讲座", "宣讲", "讲课", "授课"), LectureFormat.LECTURE),
]
STATUS_WORDS = [(("取消",), LectureStatus.CANCELLED), (("计划", "未举办", "待"), LectureStatus.PLANNED),
                (("已举办", "已开展", "完成", "举办", "已"), LectureStatus.HELD)]


@dataclass
class LectureRow:
    org_id: int
    date: date
    title: str
    venue_type: str
    venue_name: str
    format: str
    status: str
    audience: int
    summary: str
    speakers: list = field(default_factory=list)  # workers
    other_speakers: list = field(default_factory=list)  # names


@register
class LectureImporter(Importer):
    kind = "lectures"
    label = "宣讲台账"
    module_label = "宣传宣讲"
    record_label = "场宣讲"
    what = WHAT
    audit_action = "outreach.lecture.import"
    order = 10
    key_help = "同一单位、同一日期、同一题目的宣讲视为同一场"
    count_labels = {"speakers": "主讲人"}
    columns = (
        Column("date", "宣讲日期", ("日期", "时间", "宣讲时间", "活动时间", "举办时间"), required=True,
               example="2023-04-05"),
        Column("title", "宣讲题目", ("题目", "宣讲主题", "主题", "宣讲内容", "活动名称"), required=True,
               example="劳模精神进校园"),
        Column("speakers", "主讲人", ("宣讲人", "主讲劳模", "宣讲劳模", "劳模姓名", "姓名"), required=True,
               example="张三、李四", help="劳模库中的劳模按姓名匹配;其他人按非劳模主讲人登记"),
        Column("venue_type", "场所类型", ("宣讲场所类型", "类型", "宣讲对象", "场所类别"), required=True,
               example="学校",
               help="机关、学校、医院、企业、社区、农村、线上(写“中学”“卫生院”“村文化礼堂”也可识别)"),
        Column("venue_name", "宣讲地点", ("地点", "场所名称", "宣讲场所", "活动地点", "宣讲单位"), example="丽水中学"),
        UNIT,
        Column("audience", "受众人数", ("听众人数", "参加人数", "受众", "人数", "覆盖人数"), example="120"),
        Column("format", "形式", ("宣讲形式", "活动形式"), example="讲座"),
        Column("status", "状态", ("举办情况",), example="已举办"),
        Column("summary", "内容摘要", ("备注", "说明", "内容"), example=""),
    )

    def parse(self, row: Row) -> LectureRow | None:
        day = row.date("date", required=True)
        title = row.text("title", required=True, max_length=200)
        unit = row.unit("unit")
        venue_name = row.text("venue_name", max_length=200)
        venue_type = row.choice("venue_type", VENUE_WORDS)
        if venue_type is None and not row.present("venue_type"):
            venue_type = _venue_from(venue_name)
            if venue_type is None:
                row.error("场所类型为空,也无法从宣讲地点判断")
        audience = row.int("audience", default=0, maximum=10**7)
        workers, others = row.workers("speakers", unit_text=row.text("unit"))
        if not workers and not others:
            row.error("主讲人为空")
        for name in others:
            if len(name) > 50:
                row.error(f"主讲人“{name[:10]}…”超过50个字")
            row.warn(f"主讲人“{name}”未在劳模库中,按非劳模主讲人登记", kind="主讲人不在劳模库中,按非劳模主讲人登记")
        if row.errors:
            return None
        return LectureRow(org_id=unit.pk, date=day, title=title, venue_type=venue_type, venue_name=venue_name,
                          format=row.choice("format", FORMAT_WORDS, default=LectureFormat.LECTURE),
                          status=row.choice("status", STATUS_WORDS, default=LectureStatus.HELD),
                          audience=audience or 0, summary=row.text("summary"), speakers=workers, other_speakers=others)

    def key(self, item: LectureRow) -> tuple:
        return (item.org_id, item.date, item.title)

    def existing(self, keys):
        dates = {k[1] for k in keys}
        found = {}
        for lecture in Lecture.objects.filter(is_deleted=False, date__in=dates, org_id__in={k[0] for k in keys}):
            found.setdefault((lecture.org_id, lecture.date, lecture.title), lecture)
        return {k: found[k] for k in keys if k in found}

    def changes(self, item: LectureRow, record: Lecture) -> dict:
        fields = ("venue_type", "venue_name", "format", "status", "audience", "summary")
        return {f: getattr(item, f) for f in fields
                if getattr(item, f) != getattr(record, f) and (getattr(item, f) or f == "audience")}

    def write(self, plan: Plan) -> None:
        lectures = Lecture.objects.bulk_create([
            Lecture(org_id=i.org_id, date=i.date, title=i.title, venue_type=i.venue_type, venue_name=i.venue_name,
                    format=i.format, status=i.status, audience=i.audience, summary=i.summary)
            for i in plan.creates], batch_size=2000)
        speakers = []
        for lecture, item in zip(lectures, plan.creates, strict=True):
            position = 0
            for worker in item.speakers:
                speakers.append(LectureSpeaker(lecture=lecture, worker=worker, position=position))
                position += 1
            for name in item.other_speakers:
                speakers.append(LectureSpeaker(lecture=lecture, name=name, position=position))
                position += 1
        LectureSpeaker.objects.bulk_create(speakers, batch_size=2000)
        self.counts["speakers"] = len(speakers)
        bulk_update(Lecture, plan)  # the kit's: one UPDATE a batch, not a save per changed lecture

    def dry_counts(self, plan: Plan) -> dict:
        return {"speakers": sum(len(i.speakers) + len(i.other_speakers) for i in plan.creates)}


def _venue_from(text: str) -> str | None:
    for words, value in VENUE_WORDS:
        if any(w in text for w in words):
            return value
    return None
