"""Importers of the studio ledgers (issue 13), on the framework of `laomo.core.importing`: the 工作室名录,
the 成果 ledger and the 师徒结对表.

A studio is created as the pages create one: its first status change (登记), its lead as a member (领衔人);
an achievement's kind comes from the data dictionary 成果类型; a 传帮带 pairing keeps its mentors (registered
workers) and apprentices (workers, or people by name and employer) as participants, its form (一带一 …) being
derived from their counts as on the pages, so the summary counts imported records like hand-entered ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from laomo.core import dictionary
from laomo.core.actors import person
from laomo.core.importing import Column, Importer, Plan, Row, register, split_names
from laomo.workers.models import EmploymentStatus, Worker

from .models import (
    ACHIEVEMENT_KIND,
    PATENT,
    MemberRole,
    Mentorship,
    MentorshipForm,
    MentorshipParticipant,
    ParticipantRole,
    Studio,
    StudioAchievement,
    StudioLevel,
    StudioMember,
    StudioStatus,
    StudioStatusChange,
    StudioType,
)
from .services.common import WHAT

UNIT = Column("unit", "所属工会", ("所属单位", "单位", "县(市、区)", "所属地区", "地区", "填报单位"), example="莲都区")

# Levels as clerks write them: 县(市、区)级 names a 市 too, so the county words come before the municipal ones.
LEVEL_WORDS = [
    (("国家级", "全国", "国家"), StudioLevel.NATIONAL), (("省级", "省部级", "省"), StudioLevel.PROVINCIAL),
    (("县级", "区级", "县"), StudioLevel.COUNTY), (("市级", "市"), StudioLevel.MUNICIPAL),
]
TYPE_WORDS = [
    (("工匠",), StudioType.CRAFTSMAN), (("高技能", "技能人才", "技能大师"), StudioType.SKILLED_TALENT),
    (("劳模", "职工创新", "创新"), StudioType.MODEL_WORKER),
]
STATUS_WORDS = [
    (("撤销", "摘牌", "取消"), StudioStatus.REVOKED), (("培育", "创建", "筹建"), StudioStatus.CULTIVATING),
    (("命名", "授牌", "挂牌", "已认定"), StudioStatus.NAMED),
]
FORM_WORDS = [
    (("多带多", "多对多"), MentorshipForm.MANY_TO_MANY), (("一带多", "1带多", "一对多", "一带二", "一带三"),
                                                      MentorshipForm.ONE_TO_MANY),
    (("多带一", "多对一"), MentorshipForm.MANY_TO_ONE), (("一带一", "1带1", "一对一"), MentorshipForm.ONE_TO_ONE),
]
# Words for the seeded achievement kinds beyond their labels (narrower first: 技术革新奖 is an innovation).
KIND_WORDS = [
    ("patent", ("专利", "发明", "实用新型", "外观设计")), ("qc", ("QC", "qc", "质量管理小组")),
    ("method", ("工法", "操作法", "工作法")), ("standard", ("标准",)), ("paper", ("论文", "期刊", "发表")),
    ("innovation", ("革新", "技改", "技术改进", "创新成果", "合理化建议")), ("award", ("获奖", "奖", "荣誉")),
]


class StudioIndex:
    """The studios inside the import's unit, by name (one query), resolved with the unit a row names."""

    def __init__(self, importer: Importer):
        self.importer = importer
        self.by_name: dict[str, list[Studio]] = {}
        for studio in Studio.objects.filter(importer.org.subtree_q()).select_related("org"):
            self.by_name.setdefault(studio.name, []).append(studio)

    def resolve(self, row: Row, key: str, unit_key: str = "unit") -> Studio | None:
        name = row.text(key)
        candidates = self.by_name.get(name, [])
        unit_text = row.text(unit_key)
        unit = self.importer.units.resolve(unit_text) if unit_text else None
        if unit is not None and len(candidates) > 1:
            candidates = [s for s in candidates if s.org.is_within(unit)]
        if not candidates:
            row.error(f"{row.label(key)}“{name}”未在{self.importer.org.name}登记(请先导入工作室名录)")
            return None
        if len(candidates) > 1:
            row.error(f"有多个名为“{name}”的工作室({'、'.join(s.org.name for s in candidates)}),请填写所属工会区分")
            return None
        return candidates[0]


def _job_titles(workers) -> dict[int, str]:
    ids = sorted({w.pk for w in workers})
    titles: dict[int, str] = {}
    for start in range(0, len(ids), 900):
        titles.update(Worker.objects.filter(pk__in=ids[start:start + 900]).values_list("pk", "job_title"))
    return titles


def _deceased(row: Row, worker: Worker | None, role: str) -> None:
    if worker is not None and worker.employment_status == EmploymentStatus.DECEASED:
        row.error(f"劳模 {worker.name} 已去世,不能选为{role}")


def _apply(records: list, plan: Plan, fields: set[str]) -> None:
    """Copy each update's changes onto its record and bulk-update them (with updated_at)."""
    now = timezone.now()
    for _, record, changes in plan.updates:
        for name, value in changes.items():
            if name in fields:
                setattr(record, name, value)
        record.updated_at = now
        records.append(record)


# --- 工作室名录 -----------------------------------------------------------------------------------------


@dataclass
class StudioRow:
    org_id: int
    name: str
    level: str
    studio_type: str
    type_written: bool
    lead: Worker
    host_enterprise: str
    specialty: str
    founded_date: date
    status: str
    named_date: date | None
    revoked_date: date | None
    revoke_reason: str
    description: str


@register
class StudioImporter(Importer):
    kind = "studios"
    label = "工作室名录"
    module_label = "创新工作室"
    record_label = "个工作室"
    what = WHAT
    audit_action = "studios.studio.import"
    order = 60
    key_help = ("同一所属工会中名称相同的工作室为同一个;再次导入时更新级别、类型、领衔人、依托企业、专业领域和简介"
                "(空白不清除),状态与日期的变更请在工作室页面办理。")
    count_labels = {"members": "领衔人成员"}
    columns = (
        Column("name", "工作室名称", ("工作室", "名称", "创新工作室名称", "创新工作室"), required=True,
               example="张三劳模创新工作室"),
        Column("level", "级别", ("示范级别", "工作室级别", "命名级别", "创建级别"), required=True, example="市级",
               help="国家级、省级、市级、县级"),
        Column("studio_type", "类型", ("工作室类型", "类别"), example="劳模创新工作室",
               help="劳模创新工作室、工匠创新工作室、高技能人才创新工作室;不填按名称判断"),
        Column("lead", "领衔人", ("领衔人姓名", "负责人", "领办人", "领衔劳模", "姓名"), required=True, example="张三"),
        Column("id_number", "领衔人身份证号", ("身份证号", "身份证号码", "公民身份号码"), text=True, example=""),
        Column("worker_no", "劳模编号", ("领衔人编号", "编号"), text=True, example=""),
        UNIT,
        Column("host", "依托企业", ("依托单位", "所在企业", "所在单位", "工作单位", "企业名称", "依托企业(单位)"),
               example="丽水市某某有限公司", help="不填时用领衔人的工作单位"),
        Column("specialty", "专业领域", ("领域", "所属领域", "行业领域", "技术领域", "专业", "所属行业")),
        Column("founded", "创建日期", ("创建时间", "成立时间", "成立日期", "建立时间", "组建时间", "创建年月"),
               required=True, example="2019-05-01"),
        Column("status", "状态", ("工作室状态", "命名情况"), example="已命名",
               help="培育/创建中、已命名、已撤销;不填时有命名日期为已命名,否则为培育/创建中"),
        Column("named_date", "命名日期", ("命名时间", "授牌时间", "挂牌时间", "授牌日期"), example="2020-04-28"),
        Column("revoked_date", "撤销日期", ("撤销时间", "摘牌时间")),
        Column("revoke_reason", "撤销原因", ("摘牌原因",)),
        Column("description", "简介", ("工作室简介", "备注", "说明")),
    )

    def parse(self, row: Row) -> StudioRow | None:
        name = row.text("name", required=True, max_length=100)
        level = row.choice("level", LEVEL_WORDS, required=True)
        type_written = row.present("studio_type")
        studio_type = row.choice("studio_type", TYPE_WORDS) if type_written else _type_from(name)
        lead = row.worker(name_key="lead")
        _deceased(row, lead, "领衔人")
        org = row.unit("unit")
        founded = row.date("founded", required=True)
        named = row.date("named_date")
        revoked = row.date("revoked_date")
        status = row.choice("status", STATUS_WORDS)
        if status is None and not row.present("status"):
            status = StudioStatus.REVOKED if revoked else StudioStatus.NAMED if named else StudioStatus.CULTIVATING
        host = row.text("host", max_length=200) or (lead.employer if lead else "")
        if lead is not None and org is not None and not host and (org.pk, name) not in self._known():
            row.error("依托企业为空(领衔人也没有登记工作单位)")
        if status == StudioStatus.NAMED and named is None and not row.errors:
            row.error("已命名的工作室请填写命名日期")
        if status == StudioStatus.CULTIVATING and named is not None:
            row.error("培育/创建中的工作室尚未命名,请不要填写命名日期")
        if status == StudioStatus.REVOKED and revoked is None and not row.errors:
            row.error("已撤销的工作室请填写撤销日期")
        if founded:
            for day, label in ((named, "命名日期"), (revoked, "撤销日期")):
                if day and day < founded:
                    row.error(f"{label}不能早于创建日期")
        if named and revoked and revoked < named:
            row.error("撤销日期不能早于命名日期")
        if row.errors:
            return None
        return StudioRow(
            org_id=org.pk, name=name, level=level, studio_type=studio_type, type_written=type_written, lead=lead,
            host_enterprise=host, specialty=row.text("specialty", max_length=100), founded_date=founded,
            status=status, named_date=named, revoked_date=revoked if status == StudioStatus.REVOKED else None,
            revoke_reason=row.text("revoke_reason") or "按台账登记为已撤销", description=row.text("description"))

    def _known(self) -> set[tuple]:
        """The studios already registered (a blank cell on one of them keeps what it has)."""
        if not hasattr(self, "_known_keys"):
            self._known_keys = set(Studio.objects.filter(self.org.subtree_q()).values_list("org_id", "name"))
        return self._known_keys

    def key(self, item: StudioRow) -> tuple:
        return (item.org_id, item.name)

    def existing(self, keys):
        found = {(s.org_id, s.name): s for s in Studio.objects.filter(
            org_id__in={k[0] for k in keys}, name__in={k[1] for k in keys})}
        return {k: found[k] for k in keys if k in found}

    def changes(self, item: StudioRow, record: Studio) -> dict:
        if record.status == StudioStatus.REVOKED:
            return {}  # a revoked studio is never changed (as on the page)
        changes = {f: getattr(item, f) for f in ("level", "host_enterprise", "specialty", "description")
                   if getattr(item, f) and getattr(item, f) != getattr(record, f)}
        if item.type_written and item.studio_type != record.studio_type:
            changes["studio_type"] = item.studio_type
        if item.lead.pk != record.lead_id:
            changes["lead"] = item.lead
        return changes

    def write(self, plan: Plan) -> None:
        studios = Studio.objects.bulk_create([
            Studio(org_id=i.org_id, name=i.name, studio_type=i.studio_type, level=i.level, lead=i.lead,
                   host_enterprise=i.host_enterprise, specialty=i.specialty, founded_date=i.founded_date,
                   status=i.status, named_date=i.named_date, revoked_date=i.revoked_date,
                   revoke_reason=i.revoke_reason if i.revoked_date else "", description=i.description,
                   status_date=i.revoked_date or i.named_date or i.founded_date)
            for i in plan.creates], batch_size=2000)
        actor = person(self.actor)
        history = []
        for studio, item in zip(studios, plan.creates, strict=True):
            first = StudioStatus.NAMED if item.named_date else StudioStatus.CULTIVATING
            history.append(StudioStatusChange(studio=studio, from_status="", to_status=first,
                                              date=item.named_date or item.founded_date, reason="登记", actor=actor))
            if item.revoked_date:
                history.append(StudioStatusChange(studio=studio, from_status=first, to_status=StudioStatus.REVOKED,
                                                  date=item.revoked_date, reason=item.revoke_reason, actor=actor))
        StudioStatusChange.objects.bulk_create(history, batch_size=2000)
        leads = [(s, i.lead, i.founded_date) for s, i in zip(studios, plan.creates, strict=True)]
        leads += [(record, changes["lead"], self.today) for _, record, changes in plan.updates if "lead" in changes]
        records: list[Studio] = []
        _apply(records, plan, {"level", "host_enterprise", "specialty", "description", "studio_type", "lead"})
        Studio.objects.bulk_update(records, ["level", "host_enterprise", "specialty", "description", "studio_type",
                                             "lead", "updated_at"], batch_size=2000)
        self.counts["members"] = self._lead_members(leads)

    def _lead_members(self, leads: list[tuple[Studio, Worker, date]]) -> int:
        """The lead is a current member with the role 领衔人; a replaced lead stays as a core member."""
        if not leads:
            return 0
        studio_ids = [s.pk for s, _, _ in leads]
        current = {}
        for start in range(0, len(studio_ids), 900):
            chunk = studio_ids[start:start + 900]
            StudioMember.objects.filter(studio_id__in=chunk, role=MemberRole.LEAD, left_date__isnull=True).update(
                role=MemberRole.CORE)
            for m in StudioMember.objects.filter(studio_id__in=chunk, worker__isnull=False, left_date__isnull=True):
                current[(m.studio_id, m.worker_id)] = m
        titles = _job_titles([w for _, w, _ in leads])
        new, promoted = [], []
        for studio, lead, joined in leads:
            member = current.get((studio.pk, lead.pk))
            if member is None:
                new.append(StudioMember(studio=studio, worker=lead, name=lead.name, title=titles.get(lead.pk, ""),
                                        role=MemberRole.LEAD, joined_date=joined))
            else:
                member.role = MemberRole.LEAD
                promoted.append(member)
        StudioMember.objects.bulk_create(new, batch_size=2000)
        StudioMember.objects.bulk_update(promoted, ["role"], batch_size=2000)
        return len(new)

    def dry_counts(self, plan: Plan) -> dict:
        lead_changes = [(r.pk, c["lead"].pk) for _, r, c in plan.updates if "lead" in c]
        members = set()
        if lead_changes:
            members = set(StudioMember.objects.filter(
                studio_id__in=[s for s, _ in lead_changes], worker__isnull=False, left_date__isnull=True)
                .values_list("studio_id", "worker_id"))
        return {"members": len(plan.creates) + sum(1 for pair in lead_changes if pair not in members)}


def _type_from(name: str) -> str:
    for words, value in TYPE_WORDS[:2]:
        if any(w in name for w in words):
            return value
    return StudioType.MODEL_WORKER


# --- 成果 -------------------------------------------------------------------------------------------------


@dataclass
class AchievementRow:
    studio: Studio
    kind: str
    title: str
    achieved_date: date
    patent_no: str
    recognized: bool | None
    recognized_by: str
    benefit: Decimal | None


@register
class AchievementImporter(Importer):
    kind = "studio_achievements"
    label = "工作室成果台账"
    module_label = "创新工作室"
    record_label = "项成果"
    what = WHAT
    audit_action = "studios.achievement.import"
    order = 61
    key_help = ("同一工作室、同一成果名称、同一取得日期为同一项成果;"
                "再次导入时更新类别、专利号、认定单位和经济效益(空白不清除)。")
    columns = (
        Column("studio", "工作室名称", ("工作室", "所属工作室", "创新工作室", "创新工作室名称"), required=True,
               example="张三劳模创新工作室"),
        UNIT,
        Column("kind", "成果类别", ("成果类型", "类别", "类型", "成果类别(类型)"), required=True, example="技术革新",
               help="数据字典“成果类型”中的名称,如专利、技术革新、QC成果、工法、标准、获奖、论文"),
        Column("title", "成果名称", ("成果", "名称", "项目名称", "成果题目", "成果内容"), required=True,
               example="数控机床夹具改进"),
        Column("date", "取得日期", ("日期", "取得时间", "授权日期", "授权时间", "获得时间", "完成时间", "发布时间",
                                   "时间"), required=True, example="2023-06-30"),
        Column("patent_no", "专利号", ("专利号码", "授权号", "专利授权号"), text=True, example="",
               help="专利成果必填"),
        Column("recognized_by", "认定单位", ("授权单位", "认定/授权单位", "颁发单位", "发证单位", "发布单位")),
        Column("recognized", "是否认定", ("已获认定", "是否获认定"), example="是"),
        Column("benefit", "经济效益(元)", ("经济效益", "创造经济效益", "创效(元)", "效益(元)", "经济效益元"),
               example="125000.50"),
        Column("benefit_wan", "经济效益(万元)", ("创效(万元)", "效益(万元)", "经济效益万元")),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._studios: StudioIndex | None = None
        self._kinds = [(i.code, i.label) for i in dictionary.items(ACHIEVEMENT_KIND).order_by("sort_order", "id")]

    def parse(self, row: Row) -> AchievementRow | None:
        if self._studios is None:
            self._studios = StudioIndex(self)
        studio = self._studios.resolve(row, "studio") if row.text("studio", required=True) else None
        row.name = row.text("studio")
        kind = self._kind(row)
        title = row.text("title", required=True, max_length=200)
        day = row.date("date", required=True)
        patent_no = row.text("patent_no").replace(" ", "").upper() if kind == PATENT else ""
        if kind == PATENT and not patent_no:
            row.error("专利成果须填写专利号(如 ZL202110123456.7)")
        if len(patent_no) > 40:
            row.error("专利号超过40个字")
        benefit = self._benefit(row)
        if studio is not None and day is not None:
            if day < studio.founded_date:
                row.error(f"取得日期不能早于工作室创建日期 {studio.founded_date:%Y-%m-%d}")
            if studio.revoked_date and day > studio.revoked_date:
                row.error(f"工作室已于 {studio.revoked_date:%Y-%m-%d} 撤销,之后的成果不能记入")
        recognized = row.choice("recognized", [(("否", "未", "无"), False), (("是", "已", "有", "√"), True)])
        if row.errors:
            return None
        return AchievementRow(studio=studio, kind=kind, title=title, achieved_date=day, patent_no=patent_no,
                              recognized=recognized, recognized_by=row.text("recognized_by", max_length=100),
                              benefit=benefit)

    def _kind(self, row: Row) -> str | None:
        text = row.text("kind", required=True)
        if not text:
            return None
        for code, label in self._kinds:
            if text in (code, label):
                return code
        codes = {code for code, _ in self._kinds}
        for code, words in KIND_WORDS:
            if code in codes and any(w in text for w in words):
                return code
        for code, label in self._kinds:
            if label in text:
                return code
        row.error(f"无法识别的成果类别“{text}”(可填:{'、'.join(label for _, label in self._kinds)})")
        return None

    def _benefit(self, row: Row) -> Decimal | None:
        benefit = row.money("benefit")
        if row.present("benefit_wan"):
            wan = row.decimal("benefit_wan", places=6, maximum=Decimal(10**6))
            if wan is not None:
                yuan = wan * 10000
                if yuan != yuan.quantize(Decimal("0.01")):
                    row.error(f"{row.label('benefit_wan')}“{row.text('benefit_wan')}”折合元超过两位小数")
                elif benefit is not None and benefit != yuan:
                    row.error("经济效益(元)与经济效益(万元)不一致")
                else:
                    benefit = yuan.quantize(Decimal("0.01"))
        return benefit

    def key(self, item: AchievementRow) -> tuple:
        return (item.studio.pk, item.title, item.achieved_date)

    def existing(self, keys):
        found = {}
        for a in StudioAchievement.objects.filter(studio_id__in={k[0] for k in keys}, is_deleted=False,
                                                  achieved_date__in={k[2] for k in keys}):
            found.setdefault((a.studio_id, a.title, a.achieved_date), a)
        return {k: found[k] for k in keys if k in found}

    def changes(self, item: AchievementRow, record: StudioAchievement) -> dict:
        changes = {}
        if item.kind != record.kind and (item.kind != PATENT or item.patent_no):
            changes["kind"] = item.kind
            if record.kind == PATENT:
                changes["patent_no"] = item.patent_no
        if item.patent_no and item.patent_no != record.patent_no:
            changes["patent_no"] = item.patent_no
        if item.recognized_by and item.recognized_by != record.recognized_by:
            changes["recognized_by"] = item.recognized_by
        if item.recognized is not None and item.recognized != record.is_recognized:
            changes["is_recognized"] = item.recognized
        if item.benefit is not None and item.benefit != record.economic_benefit:
            changes["economic_benefit"] = item.benefit
        return changes

    def write(self, plan: Plan) -> None:
        StudioAchievement.objects.bulk_create([
            StudioAchievement(studio=i.studio, kind=i.kind, title=i.title, achieved_date=i.achieved_date,
                              patent_no=i.patent_no, is_recognized=True if i.recognized is None else i.recognized,
                              recognized_by=i.recognized_by, economic_benefit=i.benefit)
            for i in plan.creates], batch_size=2000)
        fields = {"kind", "patent_no", "recognized_by", "is_recognized", "economic_benefit"}
        records: list[StudioAchievement] = []
        _apply(records, plan, fields)
        StudioAchievement.objects.bulk_update(records, [*sorted(fields), "updated_at"], batch_size=2000)


# --- 师徒结对 ---------------------------------------------------------------------------------------------


@dataclass
class Apprentice:
    name: str
    employer: str = ""
    job: str = ""
    worker: Worker | None = None

    @property
    def key(self) -> tuple:
        return ("w", self.worker.pk) if self.worker else ("p", self.name, self.employer)


@dataclass
class MentorshipRow:
    org_id: int
    start_date: date
    mentors: list
    apprentices: list
    form: str | None
    end_date: date | None = None
    studio: Studio | None = None
    skill: str = ""
    goals: str = ""
    title: str = ""
    first_row: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def mentor_key(self) -> frozenset:
        return frozenset(w.pk for w in self.mentors)


ONE_APPRENTICE = (MentorshipForm.ONE_TO_ONE, MentorshipForm.MANY_TO_ONE)


@register
class MentorshipImporter(Importer):
    kind = "mentorships"
    label = "师徒结对表"
    module_label = "创新工作室"
    record_label = "对师徒结对"
    what = WHAT
    audit_action = "studios.mentorship.import"
    order = 62
    key_help = ("同一所属工会、同样的师傅、同一结对日期为同一结对:结对形式为一带多、多带多或未填时,这样的多行合并为一个"
                "结对(徒弟合在一起);一带一、多带一时每名徒弟各为一个结对。结对形式按师傅、徒弟人数推导。"
                "再次导入时补充新徒弟和空白处,不删除已有的人。")
    count_labels = {"participants": "师徒人员"}
    columns = (
        Column("mentors", "师傅", ("师傅姓名", "师父", "师父姓名", "导师", "带徒师傅", "劳模姓名"), required=True,
               example="张三", help="劳模库中的劳模;多带一、多带多时多名师傅写在同一格,用、分隔"),
        Column("mentor_id", "师傅身份证号", ("身份证号", "身份证号码", "公民身份号码"), text=True, example=""),
        Column("mentor_no", "劳模编号", ("师傅编号", "编号"), text=True, example=""),
        UNIT,
        Column("apprentices", "徒弟", ("徒弟姓名", "学徒", "学徒姓名", "徒弟名单"), required=True, example="李小明",
               help="不必是劳模;一带多时可写在同一格用、分隔,或分行填写"),
        Column("apprentice_employer", "徒弟单位", ("徒弟工作单位", "学徒单位", "徒弟所在单位")),
        Column("apprentice_job", "徒弟岗位", ("徒弟工种", "岗位", "工种")),
        Column("apprentice_id", "徒弟身份证号", ("徒弟身份证号码",), text=True,
               help="徒弟是劳模库中的劳模时可填,按身份证号关联"),
        Column("form", "结对形式", ("形式", "带徒形式", "结对方式", "结对类型"), example="一带一",
               help="一带一、一带多、多带一、多带多(用于核对与分组,形式按人数推导)"),
        Column("start", "结对日期", ("开始日期", "结对时间", "开始时间", "签约日期", "签订日期", "日期"), required=True,
               example="2022-03-01"),
        Column("end", "结束日期", ("结束时间", "出师日期", "到期日期", "截止日期")),
        Column("studio", "依托工作室", ("工作室", "所属工作室", "工作室名称")),
        Column("skill", "传授技艺", ("技艺", "传授技能", "带徒内容", "专业")),
        Column("goals", "培养目标", ("目标",), help="不填时记为“传授某技艺”"),
        Column("title", "结对名称", ("名称",), help="不填时由师傅与徒弟姓名组成"),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._studios: StudioIndex | None = None

    def parse(self, row: Row) -> MentorshipRow | None:
        mentors = self._mentors(row)
        org = row.unit("unit")
        start = row.date("start", required=True)
        end = row.date("end", not_future=False)
        if start and end and end < start:
            row.error("结束日期不能早于结对日期")
        form = row.choice("form", FORM_WORDS)
        apprentices = self._apprentices(row, mentors)
        studio = None
        if row.present("studio"):
            if self._studios is None:
                self._studios = StudioIndex(self)
            studio = self._studios.resolve(row, "studio")
            if studio and studio.revoked_date and start and start > studio.revoked_date:
                row.error(f"{studio.name} 已于 {studio.revoked_date:%Y-%m-%d} 撤销")
        if form and mentors and apprentices:
            if form in ONE_APPRENTICE and len(apprentices) > 1:
                row.error(f"结对形式为“{form.label}”,但列了{len(apprentices)}名徒弟")
            if (form in (MentorshipForm.ONE_TO_ONE, MentorshipForm.ONE_TO_MANY)) != (len(mentors) == 1):
                row.error(f"结对形式为“{form.label}”,与师傅人数({len(mentors)}名)不符")
        title = row.text("title", max_length=100)
        skill = row.text("skill", max_length=100)
        if row.errors:
            return None
        return MentorshipRow(org_id=org.pk, start_date=start, mentors=mentors, apprentices=apprentices, form=form,
                             end_date=end, studio=studio, skill=skill, goals=row.text("goals"), title=title,
                             first_row=row.number)

    def _mentors(self, row: Row) -> list[Worker]:
        names = split_names(row.text("mentors"))
        if len(names) <= 1:
            worker = row.worker(id_key="mentor_id", no_key="mentor_no", name_key="mentors")
            mentors = [worker] if worker else []
        else:
            row.name = "、".join(names)
            mentors = []
            for name in names:
                worker, problem = self.matcher.match(name=name, unit_text=row.text("unit"))
                if problem:
                    row.error(problem)
                elif worker.pk not in {m.pk for m in mentors}:
                    mentors.append(worker)
        for mentor in mentors:
            _deceased(row, mentor, "师傅")
        return mentors

    def _apprentices(self, row: Row, mentors: list[Worker]) -> list[Apprentice]:
        names = split_names(row.text("apprentices", required=True))
        employer = row.text("apprentice_employer", max_length=200)
        job = row.text("apprentice_job", max_length=100)
        people = [Apprentice(name=n, employer=employer, job=job) for n in names]
        for p in people:
            if len(p.name) > 50:
                row.error(f"徒弟“{p.name[:10]}…”超过50个字")
        id_text = row.text("apprentice_id")
        if id_text and len(people) == 1:
            worker, problem = self.matcher.match(id_text=id_text, name=people[0].name)
            if worker is not None:
                _deceased(row, worker, "徒弟")
                people[0].worker = worker
                people[0].employer = employer or worker.employer
            elif "未在本单位劳模库中登记" not in problem:
                row.error(f"徒弟{problem}")  # a bad ID number, or a worker of another name
        elif id_text:
            row.error("徒弟身份证号只能对应一名徒弟,多名徒弟请分行填写")
        mentor_names = {m.pk: m.name for m in mentors}
        both = [p.name for p in people if (p.worker and p.worker.pk in mentor_names)
                or (p.worker is None and p.name in mentor_names.values() and not p.employer)]
        if both:
            row.error(f"{'、'.join(both)} 不能既是师傅又是自己的徒弟")
        return people

    def key(self, item: MentorshipRow) -> tuple:
        single = item.apprentices[0].key if item.form in ONE_APPRENTICE else None
        return (item.org_id, item.start_date, item.mentor_key, single)

    def merge(self, first: MentorshipRow, item: MentorshipRow, row: Row) -> bool:
        """Another row of the same pairing (一带多): its apprentices join the first row's."""
        if item.end_date and first.end_date and item.end_date != first.end_date:
            row.error(f"与第{first.first_row}行同一结对的结束日期不一致")
            return False
        if item.form and first.form and item.form != first.form:
            row.error(f"与第{first.first_row}行同一结对的结对形式不一致")
            return False
        have = {p.key for p in first.apprentices}
        new = [p for p in item.apprentices if p.key not in have]
        if not new:
            return False  # the same people again: a repeated row
        first.apprentices += new
        first.form = first.form or item.form
        for name in ("end_date", "studio", "skill", "goals", "title"):
            if not getattr(first, name) and getattr(item, name):
                setattr(first, name, getattr(item, name))
        return True

    def existing(self, keys):
        found: dict[tuple, Mentorship] = {}
        for m in (Mentorship.objects.filter(org_id__in={k[0] for k in keys}, start_date__in={k[1] for k in keys},
                                            is_deleted=False).prefetch_related("participants").order_by("pk")):
            people = list(m.participants.all())
            mentors = frozenset(p.worker_id for p in people if p.role == ParticipantRole.MENTOR)
            apprentices = [("w", p.worker_id) if p.worker_id else ("p", p.name, p.employer)
                           for p in people if p.role == ParticipantRole.APPRENTICE]
            m.apprentice_keys = set(apprentices)
            found.setdefault((m.org_id, m.start_date, mentors, None), m)
            if len(apprentices) == 1:
                found.setdefault((m.org_id, m.start_date, mentors, apprentices[0]), m)
        return {k: found[k] for k in keys if k in found}

    def changes(self, item: MentorshipRow, record: Mentorship) -> dict:
        changes = {}
        new = [p for p in item.apprentices if p.key not in record.apprentice_keys]
        if new:
            changes["apprentices"] = new
        if item.end_date and item.end_date != record.end_date:
            changes["end_date"] = item.end_date
        if item.studio and item.studio.pk != record.studio_id:
            changes["studio"] = item.studio
        for name in ("skill", "goals", "title"):
            if getattr(item, name) and getattr(item, name) != getattr(record, name):
                changes[name] = getattr(item, name)
        return changes

    def write(self, plan: Plan) -> None:
        mentorships = Mentorship.objects.bulk_create([
            Mentorship(org_id=i.org_id, studio=i.studio, title=i.title or _title(i), skill=i.skill,
                       goals=i.goals or (f"传授{i.skill}" if i.skill else "师带徒,传承技艺"), start_date=i.start_date,
                       end_date=i.end_date) for i in plan.creates], batch_size=2000)
        titles = _job_titles([w for i in plan.creates for w in i.mentors]
                             + [p.worker for i in plan.creates for p in i.apprentices if p.worker]
                             + [p.worker for _, _, c in plan.updates for p in c.get("apprentices", []) if p.worker])
        people = []
        for m, item in zip(mentorships, plan.creates, strict=True):
            people += [MentorshipParticipant(mentorship=m, role=ParticipantRole.MENTOR, worker=w, name=w.name,
                                             employer=w.employer, job=titles.get(w.pk, "")) for w in item.mentors]
            people += _apprentice_rows(m, item.apprentices, titles)
        for _, record, changes in plan.updates:
            people += _apprentice_rows(record, changes.get("apprentices", []), titles)
        MentorshipParticipant.objects.bulk_create(people, batch_size=2000)
        self.counts["participants"] = len(people)
        fields = {"end_date", "studio", "skill", "goals", "title"}
        records: list[Mentorship] = []
        _apply(records, plan, fields)
        Mentorship.objects.bulk_update(records, [*sorted(fields), "updated_at"], batch_size=2000)

    def dry_counts(self, plan: Plan) -> dict:
        return {"participants": sum(len(i.mentors) + len(i.apprentices) for i in plan.creates)
                + sum(len(c.get("apprentices", [])) for *_, c in plan.updates)}


def _title(item: MentorshipRow) -> str:
    text = f"{'、'.join(w.name for w in item.mentors)}—{'、'.join(p.name for p in item.apprentices)}师徒结对"
    return text if len(text) <= 100 else text[:99] + "…"


def _apprentice_rows(m: Mentorship, apprentices: list[Apprentice], titles: dict) -> list[MentorshipParticipant]:
    return [MentorshipParticipant(
        mentorship=m, role=ParticipantRole.APPRENTICE, worker=p.worker,
        name=p.worker.name if p.worker else p.name, employer=p.employer or (p.worker.employer if p.worker else ""),
        job=p.job or (titles.get(p.worker.pk, "") if p.worker else "")) for p in apprentices]

