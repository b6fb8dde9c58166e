"""The 班前十分钟 ledger importer: one row per session of an enterprise's workshop or team."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from laomo.core.importing import Column, Importer, Plan, Row, bulk_update, register, split_names

from ..models import PreShiftSession, SessionForm, SessionShift, SessionStage
from ..services.common import WHAT
from ..services.sessions import forms_value
from .common import UNIT

SHIFT_WORDS = [(("班前", "上班前", "开工前"), SessionShift.BEFORE),
               (("班后", "下班", "收工"), SessionShift.AFTER)]
STAGE_WORDS = [(("学习理论", "理论", "学习"), SessionStage.THEORY), (("实践", "活动", "实操"), SessionStage.PRACTICE),
               (("提升感悟", "感悟", "提升", "总结"), SessionStage.REFLECTION)]
# Forms as clerks write them, several in one cell (看视频、谈体会); the first match of each part wins.
FORM_WORDS = [(("视频", "影片", "观看", "看片"), SessionForm.VIDEO),
              (("体会", "心得", "交流", "分享", "谈"), SessionForm.SHARING),
              (("书", "读", "阅读", "学习资料"), SessionForm.READING),
              (("故事", "讲述", "讲"), SessionForm.STORY)]
_FORM_SPLIT = re.compile(r"[、,,;;/\s+和及]+")


@dataclass
class SessionRow:
    org_id: int
    enterprise: str
    workshop: str
    date: date
    shift: str
    topic: str
    speaker: object  # a Worker or None
    speaker_name: str
    stage: str | None  # None: the cell was blank (a new session takes the default, a stored one keeps its own)
    forms: str | None
    participants: int | None
    minutes: int | None
    note: str

    @property
    def slot(self) -> tuple:
        """What the database holds once: one session per enterprise, workshop, day and shift."""
        return (self.enterprise, self.workshop, self.date, self.shift)


@register
class PreShiftSessionImporter(Importer):
    kind = "pre_shift_sessions"
    label = "班前十分钟台账"
    module_label = "宣传宣讲"
    record_label = "场班前十分钟"
    what = WHAT
    audit_action = "outreach.session.import"
    order = 20
    key_help = ("同一单位、同一企业的同一车间/班组,同一日期、同一时段(班前/班后)、同一主题视为同一场;"
                "同一车间同一天同一时段只能有一场")
    columns = (
        Column("date", "日期", ("开展日期", "活动日期", "开展时间", "时间", "活动时间", "学习日期"), required=True,
               example="2023-04-05"),
        Column("enterprise", "企业", ("企业名称", "开展企业", "所在企业", "企业(单位)", "单位名称", "公司名称"),
               required=True, example="丽水某某机械有限公司"),
        Column("workshop", "车间/班组", ("车间", "班组", "车间班组", "车间(班组)", "部门", "工段"), example="一车间"),
        Column("shift", "时段", ("班前/班后", "班前班后", "班次", "开展时段"), example="班前",
               help="班前或班后,不填为班前"),
        Column("speaker", "主讲人", ("主讲劳模", "主讲", "宣讲人", "劳模姓名", "讲述人", "主讲人姓名", "姓名"),
               required=True, example="张三", help="劳模库中的劳模按姓名(同名时填身份证号)匹配;其他人按其他主讲人登记"),
        Column("speaker_id", "主讲人身份证号", ("身份证号", "身份证号码", "劳模身份证号"), text=True),
        Column("topic", "主题", ("题目", "学习主题", "学习内容", "主题内容", "内容", "宣讲主题"), required=True,
               example="安全生产从我做起"),
        Column("stage", "阶段", ("学习阶段", "环节", "所处阶段"), example="学习理论",
               help="学习理论、实践活动、提升感悟,不填为学习理论"),
        Column("forms", "形式", ("开展形式", "活动形式", "方式", "学习形式"), example="看视频、谈体会",
               help="看视频、谈体会、读书籍、讲故事,可填多个"),
        Column("participants", "参加人数", ("人数", "参与人数", "参加职工数", "职工人数", "参加人员数"), example="25"),
        Column("minutes", "时长(分钟)", ("时长", "分钟", "用时", "时长(分)"), example="10",
               help="1—120 分钟,不填为 10 分钟"),
        UNIT,
        Column("note", "备注", ("说明",), example=""),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._slots: dict[tuple, tuple[int, tuple]] = {}  # slot -> (first row number, key) in the file

    def parse(self, row: Row) -> SessionRow | None:
        day = row.date("date", required=True)
        enterprise = row.text("enterprise", required=True, max_length=100)
        workshop = row.text("workshop", max_length=100)
        topic = row.text("topic", required=True, max_length=200)
        unit = row.unit("unit")
        speaker, speaker_name = self._speaker(row)
        item = SessionRow(
            org_id=unit.pk if unit else 0, enterprise=enterprise, workshop=workshop, date=day,
            shift=row.choice("shift", SHIFT_WORDS, default=SessionShift.BEFORE), topic=topic, speaker=speaker,
            speaker_name=speaker_name, stage=row.choice("stage", STAGE_WORDS), forms=self._forms(row),
            participants=row.int("participants", maximum=100_000),
            minutes=row.int("minutes", minimum=1, maximum=120), note=row.text("note", max_length=300))
        if row.errors:
            return None
        first = self._slots.setdefault(item.slot, (row.number, self.key(item)))
        if first[1] != self.key(item):
            row.error(f"与第{first[0]}行是同一企业车间同一天的同一时段(每个车间每个时段只登记一场)")
            return None
        return item

    def _speaker(self, row: Row) -> tuple[object, str]:
        """(worker, "") for a registered worker, (None, name) for someone else; errors on the row."""
        if row.present("speaker_id"):
            return row.worker(id_key="speaker_id", no_key="", name_key="speaker", unit_key="unit"), ""
        names = split_names(row.text("speaker"))
        if not names:
            row.error("主讲人为空")
            return None, ""
        if len(names) > 1:
            row.error(f"主讲人“{row.text('speaker')}”有多人,每场班前十分钟只登记一位主讲人")
            return None, ""
        workers, others = row.workers("speaker", unit_text=row.text("unit"))
        if workers:
            return workers[0], ""
        if others:
            if len(others[0]) > 50:
                row.error("主讲人超过50个字")
            row.warn(f"主讲人“{others[0]}”未在劳模库中,按其他主讲人登记", kind="主讲人不在劳模库中,按其他主讲人登记")
            return None, others[0]
        return None, ""  # ambiguous: the row has its error

    def _forms(self, row: Row) -> str | None:
        text = row.text("forms")
        if not text:
            return None
        codes = []
        for part in (p for p in _FORM_SPLIT.split(text) if p):
            code = next((value for words, value in FORM_WORDS if any(w in part for w in words)), None)
            if code is None:
                row.error(f"无法识别的形式“{part}”(可填:看视频、谈体会、读书籍、讲故事,可填多个)")
            else:
                codes.append(code)
        return forms_value(codes)

    def key(self, item: SessionRow) -> tuple:
        return (item.org_id, item.enterprise, item.workshop, item.date, item.shift, item.topic)

    def existing(self, keys):
        found = {}
        sessions = PreShiftSession.objects.filter(is_deleted=False, date__in={k[3] for k in keys},
                                                  enterprise__in={k[1] for k in keys})
        for s in sessions:
            found.setdefault((s.org_id, s.enterprise, s.workshop, s.date, s.shift, s.topic), s)
        return {k: found[k] for k in keys if k in found}

    def conflicts(self, batch) -> dict[int, str]:
        """A new session whose enterprise, workshop, day and shift are already another stored session's."""
        new = [(row, item) for row, item, record in batch if record is None]
        if not new:
            return {}
        taken = {}
        for s in PreShiftSession.objects.filter(is_deleted=False, date__in={i.date for _, i in new},
                                                enterprise__in={i.enterprise for _, i in new}).select_related("org"):
            taken[(s.enterprise, s.workshop, s.date, s.shift)] = s
        refused = {}
        for row, item in new:
            other = taken.get(item.slot)
            if other is not None:
                refused[row.number] = (f"{item.enterprise}{item.workshop and ' ' + item.workshop} {item.date:%Y-%m-%d}"
                                       f"{SessionShift(item.shift).label}已有记录(主题“{other.topic}”,"
                                       f"{other.org.name}),每个车间每个时段只登记一场")
        return refused

    def changes(self, item: SessionRow, record: PreShiftSession) -> dict:
        out = {f: getattr(item, f) for f in ("stage", "forms", "participants", "minutes")
               if getattr(item, f) is not None and getattr(item, f) != getattr(record, f)}
        if item.note and item.note != record.note:
            out["note"] = item.note
        if item.speaker is not None and (item.speaker.pk != record.speaker_id or record.speaker_name):
            out.update(speaker=item.speaker, speaker_name="")
        elif item.speaker_name and (record.speaker_id or item.speaker_name != record.speaker_name):
            out.update(speaker=None, speaker_name=item.speaker_name)
        return out

    def write(self, plan: Plan) -> None:
        PreShiftSession.objects.bulk_create([
            PreShiftSession(org_id=i.org_id, enterprise=i.enterprise, workshop=i.workshop, date=i.date, shift=i.shift,
                            speaker=i.speaker, speaker_name=i.speaker_name, topic=i.topic,
                            stage=i.stage or SessionStage.THEORY, forms=i.forms or "",
                            participants=i.participants or 0, minutes=i.minutes or 10, note=i.note)
            for i in plan.creates], batch_size=2000)
        bulk_update(PreShiftSession, plan)
