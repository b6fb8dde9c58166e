"""The service teams ledger (志愿服务队台账): one row per member, the team's cells repeated on each row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from laomo.core.idnumber import mask_phone
from laomo.core.importing import Column, Plan, Row, register
from laomo.orgs.models import User
from laomo.orgs.roles import Role
from laomo.workers.models import Worker

from ..models import ServiceTeam, TeamMember
from ..services.common import WHAT, clean_phone
from .common import TEAM_TYPE_HELP, TEAM_TYPE_WORDS, UNIT, VolunteeringImporter

TEAM_FIELDS = ("team_type", "base", "founded_on", "leader_id", "description")
MEMBER_FIELDS = ("duty", "phone")


@dataclass
class MemberRow:
    org_id: int
    team_name: str
    team_type: str
    founded_on: date | None
    base: str
    description: str
    leader_id: int | None
    worker: Worker | None
    name: str
    phone: str
    duty: str
    joined_on: date | None

    @property
    def team_key(self) -> tuple:
        return (self.org_id, self.team_name)

    @property
    def member_key(self) -> tuple:
        return ("w", self.worker.pk) if self.worker is not None else ("n", self.name)


@register
class TeamImporter(VolunteeringImporter):
    kind = "service_teams"
    label = "志愿服务队台账"
    record_label = "名队员"
    what = WHAT
    audit_action = "volunteering.team.import"
    order = 30
    key_help = ("同一单位、同一队名的服务队视为同一支队伍;同一队中的同一劳模(按身份证号、劳模编号或姓名认人,"
                "非劳模队员按姓名)视为同一名队员。每行一名队员,队伍信息各行重复填写或只填在第一行")
    count_labels = {"teams": "新建服务队", "teams_updated": "更新服务队"}
    columns = (
        Column("team", "服务队名称", ("服务队", "队伍名称", "志愿服务队", "服务队伍", "队名"), required=True,
               example="莲都区劳模医疗服务队"),
        Column("team_type", "服务类型", ("队伍类型", "服务队类型", "类型", "服务类别", "专业类别"), example="医疗",
               help=TEAM_TYPE_HELP),
        UNIT,
        Column("founded_on", "成立日期", ("成立时间", "组建时间", "组建日期"), example="2021-05-01",
               help="新服务队必填(填在该队第一行即可)"),
        Column("leader", "队长", ("队长姓名", "负责人", "服务队队长"), example="张三",
               help="队长若有“服务队队长”账号,按账号姓名关联"),
        Column("base", "服务阵地", ("阵地", "服务基地", "驻点"), example="庆工益之家"),
        Column("description", "服务队简介", ("简介", "队伍简介")),
        Column("name", "队员姓名", ("姓名", "队员", "成员姓名", "劳模姓名", "志愿者姓名"), required=True,
               example="张三"),
        Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "证件号码"), text=True, example=""),
        Column("worker_no", "劳模编号", ("编号",), text=True),
        Column("member_unit", "队员所在单位", ("工作单位", "队员单位", "劳模所在单位")),
        Column("duty", "职责", ("职务", "队内职务", "分工", "岗位"), example="技术骨干"),
        Column("phone", "联系电话", ("电话", "手机", "手机号码", "联系方式"), text=True,
               help="非劳模队员的电话(劳模的电话以劳模库为准)"),
        Column("joined_on", "加入日期", ("入队日期", "加入时间", "入队时间"), help="空着按服务队成立日期"),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._seen: dict[tuple, dict] = {}  # team key -> the team's cells as first written in the file
        self._leaders: dict[str, list[User]] | None = None
        self._warned_leader: set[tuple] = set()

    # --- one row -------------------------------------------------------------------------------
    def parse(self, row: Row) -> MemberRow | None:
        name = row.text("team", required=True, max_length=100)
        unit = row.unit("unit")
        team_type = row.choice("team_type", TEAM_TYPE_WORDS)
        founded_on = row.date("founded_on")
        joined_on = row.date("joined_on")
        base = row.text("base", max_length=100)
        leader_name = row.text("leader").replace(" ", "")
        if row.present("id_number") or row.present("worker_no"):
            worker = row.worker(unit_key="member_unit")
        else:
            worker = self._by_name(row)
        if row.errors:
            return None
        team = self._team(row, unit, name)
        cells = self._team_cells(row, (unit.pk, name), team, team_type=team_type, founded_on=founded_on,
                                 base=base, leader=leader_name, description=row.text("description"))
        if row.errors:
            return None
        member_name = worker.name if worker is not None else row.text("name", max_length=50).replace(" ", "")
        phone = ""
        if worker is None:
            try:
                phone = clean_phone(row.text("phone"))
            except ValidationError as exc:
                row.error("；".join(exc.messages))
        duty = row.text("duty", max_length=50) or ("队长" if leader_name and leader_name == member_name else "")
        if joined_on and cells["founded_on"] and joined_on < cells["founded_on"]:
            row.error(f"加入日期{joined_on}早于服务队成立日期{cells['founded_on']}")
        if row.errors:
            return None
        return MemberRow(org_id=unit.pk, team_name=name, team_type=cells["team_type"],
                         founded_on=cells["founded_on"],
                         base=base, description=row.text("description"),
                         leader_id=self._leader(row, (unit.pk, name), leader_name), worker=worker,
                         name=member_name, phone=phone, duty=duty,
                         joined_on=joined_on or cells["founded_on"] or self.today)

    def _by_name(self, row: Row) -> Worker | None:
        """A member named only: a registered worker when the name (and unit) says who, else a volunteer who is
        not a model worker (noted); two workers of one name are an error."""
        name = row.text("name", required=True).replace(" ", "")
        row.name = name
        if not name:
            return None
        worker, problem = self.matcher.match(name=name, unit_text=row.text("member_unit"))
        if problem and not problem.startswith("劳模“"):
            row.error(problem)  # ambiguous
        elif worker is None:
            row.warn(f"队员“{name}”未在劳模库中,按非劳模队员登记", kind="队员不在劳模库中,按非劳模队员登记")
        return worker

    def _team(self, row: Row, unit, name: str) -> ServiceTeam | None:
        team = next((t for t in self.teams.by_name.get(name, []) if t.org_id == unit.pk), None)
        if team is not None and not team.is_active:
            row.error(f"服务队“{name}”已撤销,不能再添加或修改队员")
        return team

    def _team_cells(self, row: Row, key: tuple, team: ServiceTeam | None, **cells) -> dict:
        """The team's cells, checked against its earlier rows (the first filled value stands; a different one
        is an error) and what a new team needs."""
        seen = self._seen.setdefault(key, {})
        for field, value in cells.items():
            if not value:
                continue
            if seen.get(field) and seen[field] != value:
                label = {"team_type": "服务类型", "founded_on": "成立日期", "base": "服务阵地", "leader": "队长",
                         "description": "服务队简介"}[field]
                row.error(f"{label}与同队前面的行不一致")
            seen.setdefault(field, value)
        team_type = seen.get("team_type") or (team.team_type if team else None)
        founded_on = seen.get("founded_on") or (team.founded_on if team else None)
        if team_type is None:
            row.error("服务类型为空(新服务队须填写,填在该队第一行即可)")
        if founded_on is None:
            row.error("成立日期为空(新服务队须填写,填在该队第一行即可)")
        return {"team_type": team_type, "founded_on": founded_on}

    def _leader(self, row: Row, key: tuple, name: str) -> int | None:
        """The leader's account (a user with the 服务队队长 role of that name); None, noted once, when there is none."""
        if not name:
            return None
        if self._leaders is None:
            self._leaders = {}
            for user in User.objects.filter(groups__name=Role.TEAM_LEADER, is_active=True).distinct():
                for label in {user.full_name, user.username} - {""}:
                    self._leaders.setdefault(label, []).append(user)
        users = self._leaders.get(name, [])
        if len(users) == 1:
            return users[0].pk
        if key not in self._warned_leader:
            self._warned_leader.add(key)
            why = "有多个同名账号" if users else "没有“服务队队长”账号"
            row.warn(f"队长“{name}”{why},未关联队长账号", kind="队长未关联账号")
        return None

    # --- the same member -------------------------------------------------------------------------
    def key(self, item: MemberRow) -> tuple:
        return (*item.team_key, item.member_key)

    def existing(self, keys):
        teams = {(t.org_id, t.name): t for t in ServiceTeam.objects.filter(
            org_id__in={k[0] for k in keys}, name__in={k[1] for k in keys}, is_deleted=False)}
        found = {}
        members = TeamMember.objects.filter(team__in=teams.values(), is_active=True).select_related("team")
        for member in members:
            who = ("w", member.worker_id) if member.worker_id else ("n", member.name)
            found.setdefault((member.team.org_id, member.team.name, who), member)
        return {k: found[k] for k in keys if k in found}

    def changes(self, item: MemberRow, member: TeamMember) -> dict:
        out = {f"team.{f}": v for f, v in self._team_changes(item, member.team).items()}
        out.update({f: getattr(item, f) for f in MEMBER_FIELDS
                    if getattr(item, f) and getattr(item, f) != getattr(member, f)})
        return out

    @staticmethod
    def _team_changes(item: MemberRow, team: ServiceTeam) -> dict:
        return {f: getattr(item, f) for f in TEAM_FIELDS if getattr(item, f) and getattr(item, f) != getattr(team, f)}

    # --- writing ---------------------------------------------------------------------------------
    def write(self, plan: Plan) -> None:
        items = [*plan.creates, *(i for i, _, _ in plan.updates)]
        teams = {(t.org_id, t.name): t for t in ServiceTeam.objects.filter(
            org_id__in={i.org_id for i in items}, name__in={i.team_name for i in items}, is_deleted=False)}
        new, changed, now = {}, {}, timezone.now()
        for item in items:
            team = teams.get(item.team_key) or new.get(item.team_key)
            if team is None:
                new[item.team_key] = ServiceTeam(org_id=item.org_id, name=item.team_name, team_type=item.team_type,
                                                 founded_on=item.founded_on, base=item.base,
                                                 description=item.description, leader_id=item.leader_id)
            elif team.pk is None:  # new in this file: its first row may have left some cells to later ones
                for field in TEAM_FIELDS:
                    if getattr(item, field) and not getattr(team, field):
                        setattr(team, field, getattr(item, field))
            else:
                for field, value in self._team_changes(item, team).items():
                    setattr(team, field, value)
                    team.updated_at = now
                    changed[team.pk] = team
        ServiceTeam.objects.bulk_create(new.values())
        ServiceTeam.objects.bulk_update(changed.values(), [*TEAM_FIELDS, "updated_at"])
        teams.update(new)
        TeamMember.objects.bulk_create([
            TeamMember(team=teams[i.team_key], worker=i.worker, name=i.name, phone=i.phone,
                       phone_masked=mask_phone(i.phone) if i.phone else "", duty=i.duty, joined_on=i.joined_on)
            for i in plan.creates], batch_size=2000)
        members = []
        for item, member, changes in plan.updates:
            if any(f in changes for f in MEMBER_FIELDS):
                member.duty, member.phone = item.duty or member.duty, item.phone or member.phone
                member.phone_masked, member.updated_at = mask_phone(member.phone) if member.phone else "", now
                members.append(member)
        TeamMember.objects.bulk_update(members, ["duty", "phone", "phone_masked", "updated_at"])
        self.counts["teams"], self.counts["teams_updated"] = len(new), len(changed)

    def dry_counts(self, plan: Plan) -> dict:
        items = [*plan.creates, *(i for i, _, _ in plan.updates)]
        stored = {(t.org_id, t.name): t for t in ServiceTeam.objects.filter(
            org_id__in={i.org_id for i in items}, name__in={i.team_name for i in items}, is_deleted=False)}
        new = {i.team_key for i in items if i.team_key not in stored}
        changed = {i.team_key for i in items if i.team_key in stored and self._team_changes(i, stored[i.team_key])}
        return {"teams": len(new), "teams_updated": len(changed)}
