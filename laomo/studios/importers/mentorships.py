"""The 师徒结对表 importer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from laomo.core.importing import Column, Importer, Plan, Row, register, split_names
from laomo.workers.models import Worker

from ..models import (
    Mentorship,
    MentorshipForm,
    MentorshipParticipant,
    ParticipantRole,
    Studio,
)
from ..services.common import WHAT
from .common import (
    FORM_WORDS,
    UNIT,
    StudioIndex,
    apply_updates,
    deceased,
    job_titles,
)

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
            deceased(row, mentor, "师傅")
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
                deceased(row, worker, "徒弟")
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
        titles = job_titles([w for i in plan.creates for w in i.mentors]
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
        apply_updates(records, plan, fields)
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
