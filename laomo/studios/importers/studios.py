"""The 工作室名录 importer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from laomo.core.actors import person
from laomo.core.importing import Column, Importer, Plan, Row, register
from laomo.workers.models import Worker

from ..models import (
    MemberRole,
    Studio,
    StudioMember,
    StudioStatus,
    StudioStatusChange,
    StudioType,
)
from ..services.common import WHAT
from .common import (
    LEVEL_WORDS,
    STATUS_WORDS,
    TYPE_WORDS,
    UNIT,
    apply_updates,
    deceased,
    job_titles,
)

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
        deceased(row, lead, "领衔人")
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
        apply_updates(records, plan, {"level", "host_enterprise", "specialty", "description", "studio_type", "lead"})
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
        titles = job_titles([w for _, w, _ in leads])
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
