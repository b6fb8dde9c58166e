"""Roster import (DESIGN.md §6): validate and prepare every row, then upsert them in one short transaction.

The natural key of a worker is the blind index of the normalized ID number; a row without an ID
number matches an incomplete worker of the same name in the same unit. An honor's natural key is
(worker, title, year). Importing the same file twice changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from laomo.core import audit, pii
from laomo.core.excel import (
    ExcelError,
    find_header,
    iter_data_rows,
    limits_from_settings,
    read_table_isolated,
    write_error_report,
)
from laomo.core.idnumber import IdNumberError, PhoneError, mask_id_number, mask_phone, normalize_phone, parse_id_number
from laomo.core.permissions import require_edit
from laomo.orgs.models import OrgUnit

from .gate import require_registry_write
from .history import bulk_record
from .indexes import id_index, phone_index
from .models import LEVEL_RANK, BenefitCategory, EmploymentStatus, Honor, Worker
from .parsing import (
    HonorParseError,
    ParseError,
    parse_award_year,
    parse_birth_date,
    parse_honor,
    parse_sex,
    resolve_region,
)
from .services import (
    WHAT,
    allocate_worker_numbers,
    duplicate_id_message,
    name_pinyin,
    place_kind_from_orgs,
    recompute_highest_levels,
)

STATUS_WORDS = [
    (("去世", "已故", "死亡", "病故"), EmploymentStatus.DECEASED),
    (("离退休", "退休", "离休"), EmploymentStatus.RETIRED),
    (("下岗", "买断"), EmploymentStatus.LAID_OFF),
    (("自谋职业", "个体"), EmploymentStatus.SELF_EMPLOYED),
    (("在职", "在岗"), EmploymentStatus.ACTIVE),
    (("其他",), EmploymentStatus.OTHER),
]
MAX_LENGTHS = {"name": 50, "employer": 200, "job_title": 100, "ethnicity": 20, "political_status": 20,
               "education": 20, "address": 500}
UPDATABLE = ("name", "sex", "birth_date", "ethnicity", "employer", "job_title", "political_status", "education",
             "employment_status", "benefit_category", "org_id")
# 享受待遇类别 as written in ledgers: the full label, or the short forms.
BENEFIT_WORDS = [
    (("不享受", "无"), BenefitCategory.NONE),
    (("全国",), BenefitCategory.NATIONAL),
    (("省部级", "省级", "省"), BenefitCategory.PROVINCIAL),
    (("市级", "市"), BenefitCategory.MUNICIPAL),
]


@dataclass
class PersonRow:
    """One valid data row, normalized."""

    row: int
    name: str
    org_id: int
    id_number: str = ""
    sex: str = ""
    birth_date: date | None = None
    ethnicity: str = ""
    employer: str = ""
    job_title: str = ""
    phone: str = ""
    address: str = ""
    political_status: str = ""
    education: str = ""
    employment_status: str = ""
    benefit_category: str = ""
    honors: list[tuple[str, str, str, int | None, date | None]] = field(default_factory=list)


@dataclass
class ImportResult:
    rows: int = 0
    created_workers: int = 0
    updated_workers: int = 0
    created_honors: int = 0
    rejected_rows: int = 0
    warnings: int = 0
    errors_by_row: dict[int, list[str]] = field(default_factory=dict)
    warnings_by_row: dict[int, list[str]] = field(default_factory=dict)
    dry_run: bool = True
    file_error: str = ""
    names: dict[int, str] = field(default_factory=dict)  # row -> the person's name, shown beside its messages

    def summary(self) -> dict:
        return {"rows": self.rows, "created_workers": self.created_workers, "updated_workers": self.updated_workers,
                "created_honors": self.created_honors, "rejected_rows": self.rejected_rows,
                "warnings": self.warnings}


def _status(text: str) -> str:
    for words, status in STATUS_WORDS:
        if any(w in text for w in words):
            return status
    raise ParseError(f"无法识别的在职状态“{text}”(可填:在职、离退休、下岗、自谋职业、去世、其他)")


def _benefit(text: str) -> str:
    for words, category in BENEFIT_WORDS:
        if any(w in text for w in words):
            return category
    raise ParseError(f"无法识别的享受待遇类别“{text}”(可填:享受全国劳模待遇、享受省部级劳模待遇、享受市级劳模待遇、无)")


_NEUTRALIZED = re.compile(r"^'(?=[=+\-@])")
DECEASED_BY_IMPORT = "在职状态为去世的劳模请在系统中登记去世日期,不能通过导入标记"


def _clean(value) -> str:
    text = re.sub(r"\s+", " ", str(value or "")).strip()
    # Exports write formula-looking text with a leading ' (DESIGN.md §6): read it back as the text itself.
    return _NEUTRALIZED.sub("", text)


class RosterImporter:
    def __init__(self, *, actor, org: OrgUnit, progress=None):
        self.actor = actor
        self.org = org
        self.progress = progress or (lambda done, total=None, message="": None)
        self.place_kind = place_kind_from_orgs()
        all_units = list(OrgUnit.objects.filter(is_active=True))
        self.unit_codes: dict[str, str] = {}
        for unit in all_units:
            for name in {unit.name, unit.short_name, unit.name.removesuffix("总工会")} - {""}:
                self.unit_codes.setdefault(name, unit.code)
        self.units_by_code = {u.code: u for u in all_units}
        self.today = timezone.localdate()
        # Pure look-ups repeated on every row of a large roster, computed once per distinct value.
        self._region_codes: dict[str, str | None] = {}
        self._honors: dict[str, list | str] = {}  # honor cell -> parsed honors, or the error message
        self._id_indexes: dict[str, str] = {}
        self._new_workers: dict[int, Worker] = {}  # row -> the unsaved worker, PII encrypted

    def _resolve_region(self, region: str) -> str | None:
        if region not in self._region_codes:
            self._region_codes[region] = resolve_region(region, self.unit_codes)
        return self._region_codes[region]

    def _parse_honor(self, text: str) -> list:
        if text not in self._honors:
            try:
                self._honors[text] = parse_honor(text, self.place_kind)
            except HonorParseError as exc:
                self._honors[text] = str(exc)
        parsed = self._honors[text]
        if isinstance(parsed, str):
            raise HonorParseError(parsed)
        return parsed

    def _id_index(self, number: str) -> str:
        index = self._id_indexes.get(number)
        if index is None:
            index = self._id_indexes[number] = id_index(number)
        return index

    # --- reading -----------------------------------------------------------------------------------

    def read(self, source, filename: str):
        # In a child process bounded in memory and time: a hostile file fails this import, nothing else.
        rows = read_table_isolated(source, filename, limits=limits_from_settings())
        header_index, columns = find_header(rows)
        if "name" not in columns:
            raise ExcelError("表头中没有“姓名”列。")
        return rows, header_index, columns

    # --- validation --------------------------------------------------------------------------------

    def parse_row(self, number: int, cells: dict, result: ImportResult) -> PersonRow | None:
        errors: list[str] = []
        warnings: list[str] = []
        cleaned = {key: _clean(value) for key, value in cells.items()}
        get = lambda key: cleaned.get(key, "")  # noqa: E731
        name = get("name").replace(" ", "")
        if name:
            result.names[number] = name
        if not name:
            errors.append("姓名为空")
        for key, limit in MAX_LENGTHS.items():
            if len(get(key)) > limit:
                errors.append(f"{key == 'name' and '姓名' or key}超过{limit}个字")
        org = self.org
        region = get("region")
        if region:
            code = self._resolve_region(region)
            if code is None:
                errors.append(f"无法识别所属地区“{region}”")
            else:
                unit = self.units_by_code[code]
                if not unit.is_within(self.org):
                    errors.append(f"所属地区“{region}”不在本次导入单位({self.org.name})范围内")
                else:
                    org = unit
        person = PersonRow(row=number, name=name, org_id=org.pk)
        typed_sex = typed_birth = None
        try:
            typed_sex = parse_sex(get("sex")) if get("sex") else None
        except ParseError as exc:
            errors.append(str(exc))
        try:
            typed_birth = parse_birth_date(get("birth_date"), today=self.today) if get("birth_date") else None
        except ParseError as exc:
            errors.append(str(exc))
        raw_id = cells.get("id_number")
        if raw_id not in (None, "") and str(raw_id).strip():
            try:
                info = parse_id_number(raw_id, today=self.today)
            except IdNumberError as exc:
                errors.append(str(exc))
            else:
                person.id_number, person.sex, person.birth_date = info.number, info.sex, info.birth_date
                if typed_sex and typed_sex != info.sex:
                    errors.append(f"性别与身份证号不符(身份证号显示为{'男' if info.sex == 'M' else '女'})")
                if typed_birth and (typed_birth.year, typed_birth.month) != (info.birth_date.year,
                                                                             info.birth_date.month):
                    errors.append(f"出生日期与身份证号不符(身份证号显示为{info.birth_date:%Y-%m-%d})")
        else:
            person.sex, person.birth_date = typed_sex or "", typed_birth
            warnings.append("未填写身份证号,已标记为待补全")
        if get("phone"):
            try:
                person.phone = normalize_phone(cells.get("phone"))
            except PhoneError as exc:
                errors.append(str(exc))
        year = award_date = None
        if get("award_year"):
            try:
                year, award_date = parse_award_year(get("award_year"), today=self.today)
            except ParseError as exc:
                errors.append(str(exc))
        if get("honor"):
            try:
                parsed = self._parse_honor(get("honor"))
            except HonorParseError as exc:
                errors.append(str(exc))
            else:
                for h in parsed:
                    honor_year = h.year or year
                    if any(existing[2:4] == (h.title, honor_year) for existing in person.honors):
                        warnings.append(f"荣誉“{h.title}”在本行重复填写,只计一次")
                        continue
                    person.honors.append((h.level, h.kind, h.title, honor_year, award_date if not h.year else None))
                    if honor_year and person.birth_date and honor_year < person.birth_date.year + 16:
                        warnings.append(f"荣誉“{h.title}”获评年份{honor_year}早于本人年满16周岁,请核对")
        else:
            warnings.append("未填写荣誉称号")
        if get("employment_status"):
            try:
                person.employment_status = _status(get("employment_status"))
            except ParseError as exc:
                errors.append(str(exc))
            # 去世 is accepted only for a worker already registered as deceased (see _apply): an export
            # of the registry re-imports with no change.
        if get("benefit_category"):
            try:
                person.benefit_category = _benefit(get("benefit_category"))
            except ParseError as exc:
                errors.append(str(exc))
        for key in ("ethnicity", "employer", "job_title", "address", "political_status", "education"):
            setattr(person, key, get(key))
        if errors:
            result.errors_by_row[number] = errors
        if warnings:
            result.warnings_by_row[number] = warnings
        return None if errors else person

    # --- the whole file ----------------------------------------------------------------------------

    def run(self, source, filename: str, *, dry_run: bool) -> tuple[ImportResult, list, int]:
        result = ImportResult(dry_run=dry_run)
        try:
            rows, header_index, columns = self.read(source, filename)
        except ExcelError as exc:
            result.file_error = str(exc)
            return result, [], 0
        data = list(iter_data_rows(rows, header_index, columns))
        result.rows = len(data)
        self.progress(0, len(data), "正在校验")
        people: dict[tuple, PersonRow] = {}
        for i, (number, cells) in enumerate(data, start=1):
            person = self.parse_row(number, cells, result)
            if person is not None:
                key = ("id", person.id_number) if person.id_number else ("name", person.name, person.org_id)
                if key in people:
                    first = people[key]
                    if person.id_number and first.name != person.name:
                        result.errors_by_row[number] = [f"与第{first.row}行身份证号相同但姓名不同({first.name})"]
                    else:
                        self._merge(first, person)
                        result.warnings_by_row.setdefault(number, []).append(
                            f"与第{first.row}行为同一人,荣誉已合并")
                else:
                    people[key] = person
            if i % 2000 == 0:
                self.progress(i, len(data), "正在校验")
        result.rejected_rows = len(result.errors_by_row)
        # Counted before the write, which records the batch audit entry with the summary.
        result.warnings = sum(len(v) for v in result.warnings_by_row.values())
        self._apply(list(people.values()), result, dry_run=dry_run, filename=filename)
        return result, rows, header_index

    @staticmethod
    def _merge(first: PersonRow, other: PersonRow) -> None:
        for honor in other.honors:
            if all(h[2:4] != honor[2:4] for h in first.honors):
                first.honors.append(honor)
        for key in ("phone", "address", "employer", "job_title", "ethnicity", "political_status", "education",
                    "employment_status", "benefit_category"):
            if not getattr(first, key) and getattr(other, key):
                setattr(first, key, getattr(other, key))

    # --- the write --------------------------------------------------------------------------------
    #
    # Everything that takes time happens before the write transaction opens: parsing and validation
    # (above), then pinyin, blind indexes, masks and the encryption of the new workers (`_new_worker`),
    # the read-only look-up of the matching records and the diff against them (`_snapshot`, `_plan`).
    # The transaction then only re-checks that the records the plan was made from are unchanged and
    # writes (bulk inserts, the updates, the audit entries): a few seconds for 100k rows, so other
    # writers wait at most that long (SQLite has one writer at a time). If another writer changed a
    # matching record meanwhile (say a clerk registered one of the file's ID numbers), the transaction
    # is left without writing and the plan is made again; the last attempt plans inside the
    # transaction, as the import always did, so it is correct however busy the database is.

    def _apply(self, people: list[PersonRow], result: ImportResult, *, dry_run: bool, filename: str) -> None:
        for attempt in range(1, PLAN_ATTEMPTS + 1):
            last = attempt == PLAN_ATTEMPTS
            if not last or dry_run:
                snapshot = self._snapshot(people)
                plan = self._plan(people, snapshot)
                if dry_run:
                    plan.count_into(result)
                    return
                self._prepare_writes(plan)
            try:
                with transaction.atomic():
                    if last:  # planned under the write lock: nothing can change underneath
                        snapshot = self._snapshot(people)
                        plan = self._plan(people, snapshot)
                        self._prepare_writes(plan)
                    elif self._fingerprint(people, known=snapshot.fingerprint) != snapshot.fingerprint:
                        raise _StalePlan
                    plan.count_into(result)
                    self._write(plan, result, filename=filename)
                return
            except IntegrityError as exc:
                # A worker registered meanwhile with one of the file's ID numbers (the re-check reads only the
                # records already matched): the unique index refused the insert, and the plan is made again.
                if last or "id_number_index" not in str(exc):
                    raise
                self.progress(0, len(people), "数据已被他人修改,正在重新比对")
            except _StalePlan:
                self.progress(0, len(people), "数据已被他人修改,正在重新比对")

    def _snapshot(self, people: list[PersonRow]) -> _Snapshot:
        """The existing records the file's rows match (read-only), and a fingerprint to re-check them by.

        The fingerprint is read first: a change after it shows in the re-check, even one that came
        before the records themselves were read (then the plan is merely made again).
        """
        fingerprint = self._fingerprint(people)
        by_index: dict[str, Worker] = {}
        indexes = [self._id_index(p.id_number) for p in people if p.id_number]
        for start in range(0, len(indexes), 900):
            for w in Worker.objects.filter(id_number_index__in=indexes[start:start + 900]).select_related("org"):
                by_index[w.id_number_index] = w
        by_name: dict[tuple, Worker] = {}
        names = sorted({p.name for p in people if not p.id_number})
        for start in range(0, len(names), 900):
            for w in Worker.objects.filter(id_number_index__isnull=True, is_deleted=False,
                                           name__in=names[start:start + 900]).select_related("org").order_by("pk"):
                by_name.setdefault((w.name, w.org_id), w)
        honors: set[tuple] = set()
        matched_ids = sorted({w.pk for w in [*by_index.values(), *by_name.values()]})
        for start in range(0, len(matched_ids), 900):
            honors.update(Honor.objects.filter(worker_id__in=matched_ids[start:start + 900], is_deleted=False)
                          .values_list("worker_id", "title", "year"))
        return _Snapshot(by_index, by_name, honors, fingerprint)

    def _fingerprint(self, people: list[PersonRow], known: tuple | None = None) -> tuple:
        """What the plan depends on, read lean enough to be re-read inside the write transaction.

        Every save of a worker moves its updated_at, so (pk, updated_at, unit, parent unit) stands for
        the record the plan read; the live honors of the matched workers decide which honors are new.
        The rows matched by ID number and the honors are read with `_rows_for` (the file's 100k values
        cost the ORM's `__in` more than the query itself).

        Re-read inside the write transaction (`known`, the fingerprint the plan was made from), the rows
        matched by ID number are read again by their ids only: a worker registered meanwhile with one of the
        file's ID numbers is refused by the unique index at the insert, which makes the plan again too. A
        100k-row roster of new people then re-checks nothing but the rows without an ID number (issue 16).
        """
        columns = ("pk", "updated_at", "org_id", "org__parent_id")
        worker, org = Worker._meta, OrgUnit._meta
        select = (f"SELECT w.id_number_index, w.{worker.pk.column}, w.updated_at, w.org_id, o.parent_id "
                  f"FROM {worker.db_table} w INNER JOIN {org.db_table} o ON o.{org.pk.column} = w.org_id ")
        if known is None:
            indexes = [self._id_index(p.id_number) for p in people if p.id_number]
            by_index = set(_rows_for(select + "WHERE w.id_number_index IN ({values})", indexes))
        else:
            by_index = set(_rows_for(select + f"WHERE w.{worker.pk.column} IN ({{values}})",
                                     sorted(row[1] for row in known[0])))
        by_name: dict[tuple, tuple] = {}
        names = sorted({p.name for p in people if not p.id_number})
        for start in range(0, len(names), 900):
            for name, *row in (Worker.objects.filter(id_number_index__isnull=True, is_deleted=False,
                                                     name__in=names[start:start + 900])
                               .order_by("pk").values_list("name", *columns)):
                by_name.setdefault((name, row[2]), tuple(row))
        matched = sorted({row[1] for row in by_index} | {row[0] for row in by_name.values()})
        honors = set(_rows_for(f"SELECT worker_id, title, year FROM {Honor._meta.db_table} "
                               f"WHERE NOT is_deleted AND worker_id IN ({{values}})", matched))
        return frozenset(by_index), frozenset(by_name.items()), frozenset(honors)

    def _plan(self, people: list[PersonRow], snapshot: _Snapshot) -> _Plan:
        """What the write will do, decided against `snapshot` (no writes; rows refused here go in the plan)."""
        plan = _Plan()
        existing_honors = set(snapshot.honors)
        for person in people:
            worker = (snapshot.by_index.get(self._id_index(person.id_number)) if person.id_number
                      else snapshot.by_name.get((person.name, person.org_id)))
            deceased = person.employment_status == EmploymentStatus.DECEASED
            if deceased and (worker is None or worker.employment_status != EmploymentStatus.DECEASED):
                plan.errors[person.row] = [DECEASED_BY_IMPORT]
                continue
            if worker is None:
                plan.new_people.append(person)
                continue
            if not worker.org.is_within(self.org):
                plan.errors[person.row] = [duplicate_id_message(
                    actor=self.actor, other=worker,
                    detail=f"该劳模已在{worker.org.name}登记(编号 {worker.worker_no}),不在本次导入单位范围内")]
                continue
            if worker.employment_status == EmploymentStatus.DECEASED and person.employment_status not in (
                    "", EmploymentStatus.DECEASED):
                # A status change of a deceased worker goes through worker_set_status (with its date).
                person = replace(person, employment_status="")
                plan.warnings.setdefault(person.row, []).append("该劳模已登记去世,在职状态未更新")
            changes = self._changes(worker, person)
            for level, kind, title, year, award_date in person.honors:
                if (worker.pk, title, year) not in existing_honors:
                    existing_honors.add((worker.pk, title, year))
                    plan.new_honors_for_existing.append(Honor(worker_id=worker.pk, level=level, kind=kind,
                                                              title=title, year=year, award_date=award_date))
                    plan.touched_existing.add(worker.pk)
            if changes:
                plan.updates.append((worker, changes))
                plan.touched_existing.add(worker.pk)
        return plan

    def _prepare_writes(self, plan: _Plan) -> None:
        """The rows to insert and the values to store, computed (and encrypted) ahead of the write."""
        plan.new_workers = [self._new_worker(person) for person in plan.new_people]
        plan.worker_rows = _PreparedInsert(Worker, plan.new_workers, later=("worker_no",))
        plan.honor_rows = _PreparedInsert(Honor, [
            Honor(worker_id=0, level=level, kind=kind, title=title, year=year, award_date=award_date)
            for person in plan.new_people for level, kind, title, year, award_date in person.honors], later=("worker",))
        plan.honor_owner = [i for i, person in enumerate(plan.new_people) for _ in person.honors]
        for worker, changes in plan.updates:
            plan.audit_changes.append(audit.diff({k: _audit_value(k, getattr(worker, k)) for k in changes},
                                                 {k: _audit_value(k, v) for k, v in changes.items()}))
            plan.stored.append({k: pii.encrypted(v) if k in ("phone", "address") else v for k, v in changes.items()})
        plan.update_rows = _PreparedUpdates(Worker, [
            (worker, {**stored, **({"phone_index": worker.phone_index, "phone_masked": worker.phone_masked}
                                   if "phone" in stored else {})})
            for (worker, _), stored in zip(plan.updates, plan.stored, strict=True)])

    def _new_worker(self, person: PersonRow) -> Worker:
        """An unsaved worker for a new row, PII already encrypted; its number is given at write time.

        Kept per row, so a re-plan after a concurrent change does not encrypt the same row again.
        """
        worker = self._new_workers.get(person.row)
        if worker is not None:
            return worker
        pinyin, initials = name_pinyin(person.name)
        worker = Worker(
            name=person.name, name_pinyin=pinyin, name_initials=initials, sex=person.sex,
            birth_date=person.birth_date, ethnicity=person.ethnicity, employer=person.employer,
            job_title=person.job_title, political_status=person.political_status, education=person.education,
            employment_status=person.employment_status or EmploymentStatus.ACTIVE, org_id=person.org_id,
            benefit_category=person.benefit_category,
            highest_level_rank=max((LEVEL_RANK[h[0]] for h in person.honors), default=0),
        )
        if person.id_number:
            worker.id_number = pii.encrypted(person.id_number)
            worker.id_number_index = self._id_index(person.id_number)
            worker.id_number_masked = mask_id_number(person.id_number)
        if person.phone:
            worker.phone = pii.encrypted(person.phone)
            worker.phone_index = phone_index(person.phone)
            worker.phone_masked = mask_phone(person.phone)
        if person.address:
            worker.address = pii.encrypted(person.address)
        self._new_workers[person.row] = worker
        return worker

    def _write(self, plan: _Plan, result: ImportResult, *, filename: str) -> None:
        """Inside the write transaction: inserts and updates only, every value computed beforehand."""
        self.progress(0, len(plan.new_workers), "正在写入")
        created = self._create_workers(plan)
        # The updates as one executemany per set of changed columns, their audit entries in one append (a
        # save and a `record` per worker were ~1 ms each: 10 s of write transaction for 10k changed people).
        plan.update_rows.execute()
        units = {unit.pk: unit for unit in self.units_by_code.values()}
        for (worker, _), stored in zip(plan.updates, plan.stored, strict=True):
            for key, value in stored.items():
                setattr(worker, key, value)
            worker.updated_at = plan.update_rows.at
        audit.record_many(actor=self.actor, username="import", entries=[
            {"action": "workers.worker.import_update", "obj": worker, "changes": changed,
             "org": units.get(worker.org_id) or worker.org}
            for (worker, _), changed in zip(plan.updates, plan.audit_changes, strict=True)])
        # The workers' history: each update's masked diff (the new workers' records start their history).
        bulk_record(actor=self.actor, entries=[(worker, "import", changed)
                                               for (worker, _), changed in zip(plan.updates, plan.audit_changes,
                                                                               strict=True)])
        Honor.objects.bulk_create(plan.new_honors_for_existing, batch_size=2000)
        if plan.touched_existing:
            recompute_highest_levels(plan.touched_existing)
        audit.record(actor=self.actor, action="workers.worker.import", object_type="workers.import",
                     object_repr=filename,
                     org=self.org, username="manage.py", changes={**result.summary(), "created_ids": len(created)})

    def _changes(self, worker: Worker, person: PersonRow) -> dict:
        """Fields the file fills in differently from the record (blank cells never erase data)."""
        changes = {}
        for key in ("name", "sex", "birth_date", "ethnicity", "employer", "job_title", "political_status",
                    "education", "employment_status", "benefit_category"):
            value = getattr(person, key)
            if value and getattr(worker, key) != value:
                changes[key] = value
        if person.org_id != worker.org_id and person.org_id != self.org.pk:
            changes["org_id"] = person.org_id
        if person.phone and person.phone != worker.phone:
            changes["phone"] = person.phone
            worker.phone_index, worker.phone_masked = phone_index(person.phone), mask_phone(person.phone)
        if person.address and person.address != worker.address:
            changes["address"] = person.address
        if "name" in changes:
            worker.name_pinyin, worker.name_initials = name_pinyin(person.name)
            changes["name_pinyin"], changes["name_initials"] = worker.name_pinyin, worker.name_initials
        return changes

    def _create_workers(self, plan: _Plan) -> list[int]:
        """Insert the new workers and their honors from the rows prepared ahead; returns the new ids.

        Only the worker numbers (allocated here, so a failed import leaves no gap) and the honors'
        worker ids are filled in now: Django's bulk_create would convert every field of every row
        again inside the transaction, which is most of its time at 100k rows.
        """
        numbers = allocate_worker_numbers(len(plan.new_workers)) if plan.new_workers else []
        # The new rows' ids are all above the highest id seen before the insert (SQLite takes max + 1 under
        # its write lock; PostgreSQL's sequence only grows), so one range read finds them, with any row
        # another transaction committed meanwhile left out by its number.
        before = Worker.objects.aggregate(top=Max("pk"))["top"] or 0
        plan.worker_rows.fill("worker_no", numbers)
        plan.worker_rows.execute(progress=lambda done: self.progress(done, len(numbers), "正在写入劳模"))
        ids_by_number = dict(Worker.objects.filter(pk__gt=before).values_list("worker_no", "pk")) if numbers else {}
        ids = [ids_by_number[number] for number in numbers]
        plan.honor_rows.fill("worker", [ids[i] for i in plan.honor_owner])
        plan.honor_rows.execute()
        return ids


class _PreparedInsert:
    """INSERT rows of `model` converted to database values ahead of the write transaction.

    Every field goes through the same `pre_save` and `get_db_prep_save` as in `bulk_create` (an
    EncryptedTextField passes its Ciphertext through); the fields named in `later` are filled in
    with `fill` inside the transaction.
    """

    def __init__(self, model, objs: list, *, later: tuple[str, ...] = ()):
        from django.db import connections, router

        self.connection = connections[router.db_for_write(model)]
        self.fields = [f for f in model._meta.concrete_fields if not f.generated and not f.primary_key]
        self.positions = {f.name: i for i, f in enumerate(self.fields)}
        quote = self.connection.ops.quote_name
        self.table = model._meta.db_table
        self.sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in self.fields)}) "
                    f"VALUES ({', '.join(['%s'] * len(self.fields))})")
        self.rows = [[None if f.name in later else f.get_db_prep_save(f.pre_save(obj, True), self.connection)
                      for f in self.fields] for obj in objs]

    def fill(self, name: str, values: list) -> None:
        position = self.positions[name]
        for row, value in zip(self.rows, values, strict=True):
            row[position] = value

    def execute(self, progress=None, batch: int = 5000) -> None:
        """The rows inserted in batches: by COPY on PostgreSQL (one statement; executemany's single-row
        INSERTs are each parsed and planned by the server: 23 s of write transaction for a 100k-row roster),
        in the binary format (4.7-4.8 s → 4.3-4.5 s for a 100k-row roster, and a third of the client's
        CPU), by executemany on SQLite (in process, where that costs nothing more)."""
        if self.connection.vendor == "postgresql":
            return self._copy(progress, batch)
        with self.connection.cursor() as cursor:
            for start in range(0, len(self.rows), batch):
                cursor.executemany(self.sql, self.rows[start:start + batch])
                if progress:
                    progress(min(start + batch, len(self.rows)))

    def _copy(self, progress, batch: int) -> None:
        quote = self.connection.ops.quote_name
        columns = [f.column for f in self.fields]
        sql = f"COPY {quote(self.table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN (FORMAT BINARY)"
        # psycopg's own cursor: its errors raised as Django's (an IntegrityError the importer acts on).
        with self.connection.cursor() as cursor, self.connection.wrap_database_errors:
            # Binary: the server stores the values as they come instead of parsing each one's text.
            cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
                           "AND attnum > 0 AND NOT attisdropped", [quote(self.table)])
            types = dict(cursor.fetchall())
            oids = [types[c] for c in columns]
            for start in range(0, len(self.rows), batch):
                with cursor.cursor.copy(sql) as copy:  # one COPY a batch: the progress is a query of its own
                    copy.set_types(oids)
                    for row in self.rows[start:start + batch]:
                        copy.write_row(row)
                if progress:
                    progress(min(start + batch, len(self.rows)))


class _PreparedUpdates:
    """UPDATEs of existing rows of `model`, (object, {field name or attname: value}) each, converted to database
    values ahead of the write transaction and sent as one executemany per set of changed columns. `execute`
    sets `updated_at` (kept in `at`) on every row, as `save` would."""

    def __init__(self, model, changes: list[tuple]):
        from django.db import connections, router

        self.connection = connections[router.db_for_write(model)]
        quote, meta = self.connection.ops.quote_name, model._meta
        self.stamp = meta.get_field("updated_at")
        self.at = None
        self.groups: dict[tuple, tuple[str, list[list]]] = {}
        for obj, values in changes:
            names = tuple(sorted(values))
            fields = [meta.get_field(name) for name in names]
            sql, rows = self.groups.setdefault(names, (
                f"UPDATE {quote(meta.db_table)} SET "
                + ", ".join(f"{quote(f.column)} = %s" for f in [*fields, self.stamp])
                + f" WHERE {quote(meta.pk.column)} = %s", []))
            rows.append([*(f.get_db_prep_save(values[name], self.connection) for f, name in zip(fields, names,
                                                                                                  strict=True)),
                         None, obj.pk])

    def execute(self) -> None:
        self.at = timezone.now()
        stamp = self.stamp.get_db_prep_save(self.at, self.connection)
        with self.connection.cursor() as cursor:
            for sql, rows in self.groups.values():
                for row in rows:
                    row[-2] = stamp
                cursor.executemany(sql, rows)


def _rows_for(sql: str, values: list) -> list[tuple]:
    """The rows of `sql` whose `{values}` list takes every value of `values`: in chunks of up to 30,000
    parameters where the connection allows them (SQLite's limit, 250,000 in the builds of Debian and of
    Python.org; Django assumes 999), in one `= ANY` array on PostgreSQL, as plain SQL: the ORM's `__in`
    resolves each value as an expression, ~4 µs apiece, which was 0.8 s of a 100k-row import's write
    transaction."""
    from django.db import connection

    if not values:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("IN ({values})", "= ANY(%s)"), [list(values)])
            return [tuple(row) for row in cursor.fetchall()]
    limit = _parameter_limit(connection)
    out: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), limit):
            chunk = values[start:start + limit]
            cursor.execute(sql.replace("{values}", ", ".join(["%s"] * len(chunk))), chunk)
            out.extend(tuple(row) for row in cursor.fetchall())
    return out


def _parameter_limit(connection) -> int:
    try:
        import sqlite3

        return max(999, min(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 30_000))
    except (AttributeError, ImportError):
        return connection.features.max_query_params or 999


PLAN_ATTEMPTS = 3  # plans made outside the write transaction before one is made inside it


class _StalePlan(Exception):
    """A record the plan was made from changed before the write transaction opened."""


@dataclass
class _Snapshot:
    by_index: dict
    by_name: dict
    honors: set
    fingerprint: tuple


@dataclass
class _Plan:
    new_people: list = field(default_factory=list)
    updates: list = field(default_factory=list)  # (worker, {field: plaintext value})
    new_honors_for_existing: list = field(default_factory=list)
    touched_existing: set = field(default_factory=set)
    errors: dict = field(default_factory=dict)  # rows refused against the existing records
    warnings: dict = field(default_factory=dict)
    new_workers: list = field(default_factory=list)  # by _prepare_writes
    worker_rows: _PreparedInsert | None = None
    update_rows: _PreparedUpdates | None = None
    honor_rows: _PreparedInsert | None = None
    honor_owner: list = field(default_factory=list)  # per honor row: the index of its new worker
    stored: list = field(default_factory=list)  # per update: the values to store (PII encrypted)
    audit_changes: list = field(default_factory=list)  # per update: the masked diff for the audit log

    def count_into(self, result: ImportResult) -> None:
        result.errors_by_row.update(self.errors)
        result.rejected_rows += len(self.errors)
        for row, messages in self.warnings.items():
            result.warnings_by_row.setdefault(row, []).extend(messages)
            result.warnings += len(messages)
        result.created_workers = len(self.new_people)
        result.updated_workers = len(self.touched_existing)
        result.created_honors = len(self.new_honors_for_existing) + sum(len(p.honors) for p in self.new_people)


def _audit_value(key: str, value):
    if key == "phone":
        return mask_phone(value or "")
    if key == "address":
        return "***" if value else ""
    return value.isoformat() if isinstance(value, date) else value


def roster_import(*, actor, source, filename: str, org: OrgUnit, dry_run: bool, progress=None,
                  report_path=None) -> ImportResult:
    """Import a roster file for `org` (rows go to the unit their region names, inside `org`).

    `actor` needs `import_data` and `org` in their scope; SYSTEM (`manage.py import_roster`) is audited as
    manage.py."""
    require_edit(actor, org, WHAT, capability="import_data")
    if not dry_run:
        require_registry_write(actor, org)
    importer = RosterImporter(actor=actor, org=org, progress=progress)
    result, rows, header_index = importer.run(source, filename, dry_run=dry_run)
    if report_path is not None and rows:
        write_error_report(rows, header_index, {**{k: [f"提示:{m}" for m in v]
                                                    for k, v in result.warnings_by_row.items()},
                                                 **{k: v + [f"提示:{m}" for m in result.warnings_by_row.get(k, [])]
                                                    for k, v in result.errors_by_row.items()}}, report_path)
    return result
