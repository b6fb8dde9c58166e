"""The service records ledger (服务记录台账): one row per service with the volunteers in a cell, or one row per
volunteer (the service's cells repeated, or left blank under merged cells); hours per person or in total.

Built for size: teams, members and workers are looked up in dictionaries built once, the records and their
volunteers are written with bulk inserts, existing records are read one query per batch of keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import connections, router
from django.utils import timezone

from laomo.core.actors import person
from laomo.core.importing import Column, Plan, Row, register

from ..models import ServiceCertificate, ServiceHours, ServiceRecord, ServiceTeam
from ..services.common import WHAT
from .common import (
    PLACE_HELP,
    UNIT,
    VolunteeringImporter,
    place_kind,
    resolve_volunteer,
    split_total,
    valid_hours,
    volunteer_names,
)

RECORD_FIELDS = ("date", "team", "place", "content")


@dataclass
class Volunteer:
    worker_id: int | None
    member_id: int | None
    name: str
    hours: object  # Decimal

    @property
    def who(self) -> tuple:
        return ("w", self.worker_id) if self.worker_id else ("m", self.member_id)


@dataclass
class Stored:
    """A stored record as the comparison needs it."""

    pk: int
    place_kind: str
    person_times: int
    volunteers: list = field(default_factory=list)  # [(("w", worker_id) or ("m", member_id), hours)]


@dataclass
class RecordRow:
    team: ServiceTeam
    date: date
    place: str
    content: str
    place_kind: str
    person_times: int
    volunteers: list[Volunteer] = field(default_factory=list)


@register
class ServiceRecordImporter(VolunteeringImporter):
    kind = "service_records"
    label = "服务记录台账"
    record_label = "条服务记录"
    what = WHAT
    audit_action = "volunteering.record.import"
    order = 31
    key_help = ("同一服务队、同一服务日期、同一服务地点和服务内容视为同一条服务记录;"
                "一人一行的台账按此合并为一条记录,合并单元格下方留空的行归入上一条")
    count_labels = {"volunteers": "志愿者人次"}
    columns = (
        Column("date", "服务日期", ("日期", "服务时间", "活动日期", "活动时间", "时间"), required=True,
               example="2023-04-05"),
        Column("team", "服务队", ("服务队名称", "志愿服务队", "队伍名称", "服务队伍", "所属服务队"), required=True,
               example="莲都区劳模医疗服务队"),
        UNIT,
        Column("place", "服务地点", ("地点", "活动地点", "服务场所", "服务村(社区)"), required=True,
               example="碧湖镇新合村"),
        Column("place_kind", "场所类型", ("服务场所类型", "场所类别", "服务对象类型"), example="农村", help=PLACE_HELP),
        Column("content", "服务内容", ("活动内容", "服务项目", "内容", "活动名称", "服务事项"), required=True,
               example="义诊、送医送药"),
        Column("person_times", "服务人次", ("受益人次", "服务人数", "受益人数", "服务群众人次", "服务对象人次"),
               required=True, example="120", help="服务了多少人次的群众(一人一行的台账填在该记录的第一行即可)"),
        Column("volunteers", "志愿者", ("参加志愿者", "参加人员", "服务人员", "志愿者姓名", "参与劳模", "姓名",
                                      "劳模姓名", "队员"), required=True,
               example="张三、李四(2.5)", help="可在一格中写多人;括号内可写此人的服务时长"),
        Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "证件号码"), text=True,
               help="一人一行时可填,按身份证号认人"),
        Column("worker_no", "劳模编号", ("编号",), text=True),
        Column("volunteer_unit", "志愿者单位", ("志愿者所在单位", "工作单位", "劳模所在单位")),
        Column("hours", "服务时长(小时)", ("每人时长", "人均时长", "服务时长", "时长", "志愿服务时长", "时长(小时)",
                                         "服务小时数", "小时数"), example="3",
               help="每位志愿者的时长;与“总时长”二选一"),
        Column("total_hours", "总时长(小时)", ("总时长", "合计时长", "服务总时长", "时长合计"),
               help="全体志愿者合计的时长,平均分给格中每人"),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._previous: RecordRow | None = None
        self._person_times: dict[tuple, int] = {}
        self._certified: set[int] | None = None
        # Per-import memos of what repeats down a ledger (a date, a team's usual volunteers): only what parsed
        # without an error is kept, so a bad cell is checked (and reported) on every row it appears in.
        self._dates: dict[str, date] = {}
        self._people: dict[tuple, list] = {}

    # --- one row -------------------------------------------------------------------------------
    def parse(self, row: Row) -> RecordRow | None:
        if self._continues(row):
            item = self._from_previous(row)
        else:
            item = self._parse_record(row)
        if item is None or row.errors:
            return None
        item.volunteers = self._volunteers(row, item.team)
        if row.errors:
            return None
        self._previous = item
        return item

    def _continues(self, row: Row) -> bool:
        """A row under merged cells: only the volunteer (and hours) filled in, the service left blank."""
        return self._previous is not None and not any(row.raw.get(k) not in (None, "") and row.present(k)
                                                      for k in RECORD_FIELDS)

    def _from_previous(self, row: Row) -> RecordRow:
        p = self._previous
        return RecordRow(team=p.team, date=p.date, place=p.place, content=p.content, place_kind=p.place_kind,
                         person_times=p.person_times)

    def _parse_record(self, row: Row) -> RecordRow | None:
        self._previous = None
        text = row.raw.get("date")
        day = self._dates.get(text) if isinstance(text, str) else None
        if day is None:
            day = row.date("date", required=True)
            if day is not None and isinstance(text, str):
                self._dates[text] = day
        place = row.text("place", required=True, max_length=200)
        content = row.text("content", required=True, max_length=2000)
        unit = self.unit_or_none(row)
        team_name = row.text("team", required=True)
        team = None
        if team_name:
            team, problem = self.teams.find(team_name, unit)
            if problem:
                row.error(problem)
        if team is not None and day is not None and not team.is_active and (
                team.dissolved_on is None or day > team.dissolved_on):
            row.error(f"服务队“{team.name}”已于{team.dissolved_on or '此前'}撤销,服务日期晚于撤销日期")
        kind = place_kind(row, "place_kind", place)
        person_times = row.int("person_times", maximum=100000)
        if row.errors:
            return None
        key = (team.pk, day, place, content)
        if person_times is None:
            person_times = self._person_times.get(key)
            if person_times is None:
                row.error("服务人次为空(一人一行的台账至少在该记录的第一行填写)")
                return None
        self._person_times.setdefault(key, person_times)
        return RecordRow(team=team, date=day, place=place, content=content, place_kind=kind,
                         person_times=person_times)

    def _volunteers(self, row: Row, team: ServiceTeam) -> list[Volunteer]:
        hours = row.decimal("hours", places=2, maximum=24)
        total = row.decimal("total_hours", places=2, maximum=10**6)
        if hours is not None and total is not None:
            row.error("“服务时长”与“总时长”只填其一")
            return []
        unit_text = row.text("volunteer_unit")
        if row.present("id_number") or row.present("worker_no"):
            worker = row.worker(name_key="volunteers", unit_key="volunteer_unit")
            people = [(worker, None, worker.name, hours or total)] if worker is not None else []
        else:
            people = self._named(row, team, unit_text)
        if row.errors:
            return []
        return self._with_hours(row, people, hours, total)

    def _named(self, row: Row, team: ServiceTeam, unit_text: str) -> list:
        """[(worker, member, name, hours written after the name)] of the volunteer cell (memoized per team)."""
        cell = row.text("volunteers")
        memo = (team.pk, cell, unit_text)
        people = self._people.get(memo)
        if people is not None:
            row.name = row.name or "、".join(p[2] for p in people)
            return people
        names = volunteer_names(cell)
        row.name = row.name or "、".join(n for n, _ in names)
        if not names:
            row.error("志愿者为空")
        people = []
        for name, own_hours in names:
            worker, member = resolve_volunteer(self, row, team, name, unit_text)
            if worker is not None or member is not None:
                people.append((worker, member, name, own_hours))
        if not row.errors:
            self._people[memo] = people
        return people

    def _with_hours(self, row: Row, people: list, hours, total) -> list[Volunteer]:
        missing = [p for p in people if p[3] is None]
        if missing and hours is None and total is None:
            row.error("服务时长为空(填“服务时长(小时)”为每人时长,或“总时长”,或在姓名后括号内写时长)")
            return []
        shares = iter(split_total(total, len(missing)) if total is not None and missing else [])
        out, seen = [], set()
        for worker, member, name, own in people:
            value = valid_hours(row, name, own if own is not None else (hours if hours is not None else next(shares)))
            volunteer = Volunteer(worker_id=worker.pk if worker else None, member_id=member.pk if member else None,
                                  name=worker.name if worker else member.name, hours=value)
            if volunteer.who in seen:
                row.error(f"{volunteer.name}在同一记录中重复登记")
            seen.add(volunteer.who)
            out.append(volunteer)
        return out

    # --- the same record -------------------------------------------------------------------------
    def key(self, item: RecordRow) -> tuple:
        return (item.team.pk, item.date, item.place, item.content)

    def merge(self, first: RecordRow, item: RecordRow, row: Row) -> bool:
        """Another volunteer row of the same service: its volunteers join the record (a repeated one is a
        duplicate row)."""
        if item.person_times != first.person_times:
            row.error(f"服务人次{item.person_times}与前面同一记录的{first.person_times}不一致")
            return False
        present = {v.who for v in first.volunteers}
        if any(v.who in present for v in item.volunteers):
            return False
        first.volunteers.extend(item.volunteers)
        return True

    def existing(self, keys):
        """The stored records under these keys as plain values (a re-import of 100k rows builds no models)."""
        found: dict[tuple, Stored] = {}
        rows = ServiceRecord.objects.filter(
            is_deleted=False, team_id__in={k[0] for k in keys}, date__in={k[1] for k in keys},
            place__in={k[2] for k in keys}).values_list("pk", "team_id", "date", "place", "content", "place_kind",
                                                        "person_times")
        for pk, team_id, day, place, content, kind, person_times in rows:
            found.setdefault((team_id, day, place, content), Stored(pk, kind, person_times))
        wanted = {k: found[k] for k in keys if k in found}
        by_pk = {s.pk: s for s in wanted.values()}
        stored_hours = ServiceHours.objects.filter(record_id__in=list(by_pk)).values_list(
            "record_id", "worker_id", "member_id", "hours")
        for record_id, worker_id, member_id, hours in stored_hours:
            by_pk[record_id].volunteers.append((("w", worker_id) if worker_id else ("m", member_id), hours))
        return wanted

    def changes(self, item: RecordRow, record: Stored) -> dict:
        out = {f: getattr(item, f) for f in ("place_kind", "person_times") if getattr(item, f) != getattr(record, f)}
        if sorted((v.who, v.hours) for v in item.volunteers) != sorted(record.volunteers):
            out["volunteers"] = item.volunteers
        if out and record.pk in self.certified():
            return {}  # listed on a valid certificate: never changed by an import (void the certificate first)
        return out

    def certified(self) -> set[int]:
        if self._certified is None:
            self._certified = {line.get("record") for lines in ServiceCertificate.objects.filter(is_void=False)
                               .values_list("lines", flat=True) for line in lines}
        return self._certified

    # --- writing ---------------------------------------------------------------------------------
    def write(self, plan: Plan) -> None:
        recorder = person(self.actor)
        records = ServiceRecord.objects.bulk_create([
            ServiceRecord(org_id=i.team.org_id, team_id=i.team.pk, team_type=i.team.team_type, date=i.date,
                          place_kind=i.place_kind, place=i.place, content=i.content, person_times=i.person_times,
                          recorded_by=recorder)
            for i in plan.creates], batch_size=2000)
        hours = [(record.pk, v) for record, item in zip(records, plan.creates, strict=True) for v in item.volunteers]
        now = timezone.now()
        changed, replaced = [], []
        for item, stored, changes in plan.updates:
            changed.append(ServiceRecord(pk=stored.pk, place_kind=item.place_kind, person_times=item.person_times,
                                         updated_at=now))
            if "volunteers" in changes:
                replaced.append(stored.pk)
                hours.extend((stored.pk, v) for v in item.volunteers)
        ServiceRecord.objects.bulk_update(changed, ["place_kind", "person_times", "updated_at"], batch_size=2000)
        for start in range(0, len(replaced), 900):
            ServiceHours.objects.filter(record_id__in=replaced[start:start + 900]).delete()
        insert_hours(hours)
        self.counts["volunteers"] = len(hours)

    def dry_counts(self, plan: Plan) -> dict:
        return {"volunteers": sum(len(i.volunteers) for i in plan.creates)
                + sum(len(i.volunteers) for i, _, c in plan.updates if "volunteers" in c)}


HOURS_COLUMNS = ("record_id", "worker_id", "member_id", "name", "hours")


def insert_hours(rows: list[tuple[int, Volunteer]], batch: int = 5000) -> None:
    """The volunteers' hours as plain INSERTs (like the roster import's `_PreparedInsert`): a 100k-row ledger
    has some 300k of them, which `bulk_create` would build and compile one model instance at a time. The values
    are already what the database stores (ids, a name, hours quantized to the cent, checked to 0 < h <= 24)."""
    connection = connections[router.db_for_write(ServiceHours)]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(ServiceHours._meta.db_table)} ({', '.join(quote(c) for c in HOURS_COLUMNS)}) "
           f"VALUES ({', '.join(['%s'] * len(HOURS_COLUMNS))})")
    prep = ServiceHours._meta.get_field("hours").get_db_prep_save
    values = [(record_id, v.worker_id, v.member_id, v.name, prep(v.hours, connection)) for record_id, v in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(values), batch):
            cursor.executemany(sql, values[start:start + batch])
