"""Importer of the retreat ledger (疗休养名单, issue 13), on the framework of `laomo.core.importing`.

One row is one participant of one batch. The batch (组织单位 + 批次名称, or the 目的地 when the ledger has no batch
name, + 出发日期) is created the first time a ledger names it, already held (已完成, or 进行中 while its return
date is ahead), so it counts in the summary like a batch run through the pages; its seats and budget grow to
the people it took. Each participant is an application 已参加 or 未参加; 已参加 records the 疗休养 benefit
in the care module as attendance on the page does, and a satisfaction score becomes the survey answer.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from laomo.care.defaults import seed_defaults
from laomo.care.models import BenefitGrant, BenefitType
from laomo.core.actors import person
from laomo.core.importing import Column, Importer, Plan, Row, register
from laomo.workers.models import Worker

from .models import (
    HELD_STATUSES,
    LIVE_STATUSES,
    RATING_FIELDS,
    SEAT_STATUSES,
    ApplicationStatus,
    BatchStatus,
    Channel,
    RetreatApplication,
    RetreatBatch,
    SurveyResponse,
    Vendor,
    VendorKind,
)
from .services.common import WHAT

ATTENDED_WORDS = [
    (("未参加", "没参加", "未参与", "否", "缺席", "请假", "未去", "未出行", "放弃", "×", "无"), False),
    (("已参加", "参加", "参与", "是", "出席", "已出行", "√", "✓", "有"), True),
]
# Satisfaction as clerks write it: a 1–5 score, or words (the narrower words first).
SCORE_WORDS = [
    (("非常不满意", "很不满意"), 1), (("不满意",), 2), (("基本满意", "一般", "较满意"), 3),
    (("比较满意",), 4), (("非常满意", "很满意", "十分满意"), 5), (("满意",), 4),
]
_SCORE_RE = re.compile(r"^(?P<n>\d+)(?:\.0+)?\s*分?$")

@dataclass
class BatchInfo:
    row: int
    org_id: int
    name: str
    destination: str
    start_date: date
    end_date: date
    vendor_name: str
    cost: Decimal | None
    leader_name: str

    @property
    def key(self) -> tuple:
        return (self.org_id, self.name, self.start_date)


@dataclass
class ParticipantRow:
    batch: BatchInfo
    worker: Worker
    attended: bool
    ratings: dict = field(default_factory=dict)  # field -> 1..5 (all five, or empty)
    comment: str = ""


@register
class RetreatImporter(Importer):
    kind = "retreats"
    label = "疗休养名单"
    module_label = "疗休养"
    record_label = "名参加人员"
    what = WHAT
    audit_action = "retreats.application.import"
    order = 50
    key_help = ("同一组织单位、同一批次名称(未填时为目的地)、同一出发日期为同一批次;同一批次中的同一名劳模为同一条"
                "参加记录。批次不存在时按已完成新建(返回日期未到为进行中);承接旅行社按名称匹配本单位及上级签约的"
                "旅行社/基地,未登记的在本次导入单位下新建。系统中已有的批次(须已出发)只补充参加人员与出勤,"
                "批次信息以系统为准;已登记参加的不能改为未参加。")
    count_labels = {"batches": "新建批次", "vendors": "新建旅行社/基地", "surveys": "满意度评价",
                    "benefits": "疗休养待遇记录"}
    columns = (
        Column("batch", "批次名称", ("批次", "疗休养批次", "团队名称", "活动名称", "批次名"),
               example="2023年第一批劳模疗休养"),
        Column("destination", "目的地", ("疗休养地点", "疗休养目的地", "地点", "线路", "疗休养线路", "出行线路"),
               required=True, example="安吉"),
        Column("start_date", "出发日期", ("开始日期", "出行日期", "出发时间", "开始时间", "疗休养时间", "起始日期"),
               required=True, example="2023-04-10"),
        Column("end_date", "返回日期", ("结束日期", "返程日期", "返回时间", "结束时间", "截止日期"),
               example="2023-04-14", help="不填时按“天数”推算"),
        Column("days", "天数", ("疗休养天数", "行程天数", "天数(天)"), example="5"),
        Column("name", "姓名", ("劳模姓名", "参加人员", "参加人", "人员姓名"), required=True, example="张三"),
        Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "身份证"), text=True, example=""),
        Column("worker_no", "劳模编号", ("编号",), text=True, example=""),
        Column("unit", "所属单位", ("单位", "所属工会", "县(市、区)", "所属地区", "地区", "工作单位"), example="莲都区",
               help="劳模所在单位,用于按姓名匹配劳模"),
        Column("org", "组织单位", ("主办单位", "组织工会", "组团单位"), example="",
               help="组织本批次的工会;不填为本次导入单位"),
        Column("attended", "是否参加", ("是否参加", "参加情况", "出勤", "是否出行", "实际参加", "参加"), example="是",
               help="是/否(已参加/未参加);不填视为已参加"),
        Column("vendor", "承接旅行社", ("旅行社", "承办旅行社", "承接单位", "承接机构", "疗休养基地", "服务机构"),
               example="丽水国旅"),
        Column("cost", "人均费用", ("人均费用(元)", "费用标准", "人均标准", "人均费用标准"), example="2800"),
        Column("leader", "领队", ("带队人", "领队姓名"), example=""),
        Column("overall", "满意度", ("总体满意度", "满意度评价", "满意度评分", "评价"), example="5",
               help="1—5分,或写非常满意/满意/基本满意/不满意/非常不满意;只填总体满意度时各分项按总体满意度记"),
        Column("itinerary", "行程安排评分", ("行程安排",), example=""),
        Column("accommodation", "住宿评分", ("住宿",), example=""),
        Column("food", "餐饮评分", ("餐饮",), example=""),
        Column("guide", "导游服务评分", ("导游", "导游/服务", "服务"), example=""),
        Column("comment", "意见建议", ("意见", "建议", "备注"), example=""),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._batches: dict[tuple, BatchInfo] = {}
        self._db_batches: dict[tuple, RetreatBatch] | None = None
        self._attended: set[tuple[int, int]] | None = None
        self._vendors: dict[str, list[Vendor]] | None = None
        self._new_vendors: dict[str, int] = {}  # name -> first row

    # --- parsing --------------------------------------------------------------------------------------
    def parse(self, row: Row) -> ParticipantRow | None:
        worker = row.worker()
        start = row.date("start_date", required=True)
        end = row.date("end_date", not_future=False)
        days = row.int("days", minimum=1, maximum=60)
        destination = row.text("destination", required=True, max_length=100)
        name = row.text("batch", max_length=100) or destination
        org = row.unit("org")
        attended = row.choice("attended", ATTENDED_WORDS, default=True)
        vendor_name = row.text("vendor", max_length=100)
        cost = row.money("cost")
        leader = row.text("leader", max_length=50)
        ratings = self._ratings(row)
        comment = row.text("comment")
        if len(comment) > 1000:
            row.error("意见建议最多1000字")
        if start and end is None and days:
            end = start + timedelta(days=days - 1)
        if start and end is None and not row.present("end_date") and not row.present("days"):
            row.error("返回日期为空(也可填写天数)")
        if start and end and end < start:
            row.error("返回日期不能早于出发日期")
        if ratings and attended is False:
            row.error("未参加的人员不能填写满意度")
        if row.errors:
            return None
        info = BatchInfo(row=row.number, org_id=org.pk, name=name, destination=destination, start_date=start,
                         end_date=end, vendor_name=vendor_name, cost=cost, leader_name=leader)
        info = self._same_batch(row, info)
        if info is None:
            return None
        if not self._check_db(row, info, worker, attended):
            return None
        return ParticipantRow(batch=info, worker=worker, attended=attended, ratings=ratings, comment=comment)

    def _ratings(self, row: Row) -> dict:
        scores = {}
        for key in RATING_FIELDS:
            text = row.text(key)
            if not text:
                continue
            number = _SCORE_RE.match(text)
            if number:
                value = int(number["n"])
                if not 1 <= value <= 5:
                    row.error(f"{row.label(key)}“{text}”应为1—5分")
                    continue
            else:
                value = row.choice(key, SCORE_WORDS)
            if value is not None:
                scores[key] = value
        if not scores:
            return {}
        if "overall" not in scores:
            row.error("填写了分项评分时请同时填写总体满意度")
            return {}
        return {key: scores.get(key, scores["overall"]) for key in RATING_FIELDS}

    def _same_batch(self, row: Row, info: BatchInfo) -> BatchInfo | None:
        """The rows of one batch must agree on its facts; a blank cell takes the first row's."""
        first = self._batches.get(info.key)
        if first is None:
            self._batches[info.key] = info
            self._vendor_for(row, info)
            return info
        labels = {"end_date": "返回日期", "destination": "目的地", "vendor_name": "承接旅行社", "cost": "人均费用",
                  "leader_name": "领队"}
        for attr, label in labels.items():
            value = getattr(info, attr)
            if attr == "destination" and not row.text("batch"):
                continue  # the destination is the batch name here: it cannot differ
            if value not in (None, "") and getattr(first, attr) in (None, ""):
                setattr(first, attr, value)
                if attr == "vendor_name":
                    self._vendor_for(row, first)
            elif value not in (None, "") and value != getattr(first, attr):
                row.error(f"与第{first.row}行同一批次的{label}不一致")
        return None if row.errors else first

    def _vendor_for(self, row: Row, info: BatchInfo) -> None:
        if not info.vendor_name or info.key in self._db() or self._find_vendor(info) is not None:
            return  # a batch already registered keeps its vendor
        if info.vendor_name not in self._new_vendors:
            self._new_vendors[info.vendor_name] = row.number
            row.warn(f"承接旅行社“{info.vendor_name}”未登记,将在{self.org.name}下新建",
                     kind="承接旅行社/基地未登记,将新建")

    def _find_vendor(self, info: BatchInfo) -> Vendor | None:
        """The vendor of that name contracted by the batch's unit or a unit above it (the nearest)."""
        if self._vendors is None:
            self._vendors = {}
            for vendor in Vendor.objects.filter(is_deleted=False).select_related("org"):
                self._vendors.setdefault(vendor.name, []).append(vendor)
        unit = self.units.by_pk[info.org_id]
        found = [v for v in self._vendors.get(info.vendor_name, []) if unit.is_within(v.org)]
        return max(found, key=lambda v: len(v.org.path)) if found else None

    def _db(self) -> dict[tuple, RetreatBatch]:
        """The batches already registered in the import's unit, by natural key (one query)."""
        if self._db_batches is None:
            self._db_batches = {(b.org_id, b.name, b.start_date): b for b in RetreatBatch.objects.filter(
                self.org.subtree_q(), is_deleted=False)}
        return self._db_batches

    def _check_db(self, row: Row, info: BatchInfo, worker: Worker, attended: bool) -> bool:
        """What the database already holds for this batch and person (the batch's status, the attendance)."""
        batch = self._db().get(info.key)
        if batch is None:
            return True
        if batch.status not in HELD_STATUSES:
            row.error(f"批次“{batch.name}”在系统中为“{batch.get_status_display()}”,请先在疗休养页面办理出发,"
                      "再导入参加情况")
            return False
        if self._attended is None:  # who is recorded as attended, in every batch of the unit: one query
            self._attended = set(RetreatApplication.objects.filter(
                batch__in=RetreatBatch.objects.filter(self.org.subtree_q(), is_deleted=False).values("pk"),
                status=ApplicationStatus.ATTENDED)
                .values_list("batch_id", "worker_id"))
        if (batch.pk, worker.pk) in self._attended and not attended:
            row.error(f"{worker.name} 已登记参加并已记录疗休养待遇,不能改为未参加")
            return False
        return True

    # --- the plan -------------------------------------------------------------------------------------
    def key(self, item: ParticipantRow) -> tuple:
        return (item.batch.key, item.worker.pk)

    def existing(self, keys):
        batches = {k[0]: self._db_batches[k[0]] for k in keys if k[0] in (self._db_batches or {})}
        if not batches:
            return {}
        by_pk = {b.pk: key for key, b in batches.items()}
        apps = _live_apps().filter(batch_id__in=by_pk, worker_id__in={k[1] for k in keys})
        found = {(by_pk[a.batch_id], a.worker_id): a for a in apps}
        return {k: found[k] for k in keys if k in found}

    def changes(self, item: ParticipantRow, record: RetreatApplication) -> dict:
        changes = {}
        status = ApplicationStatus.ATTENDED if item.attended else ApplicationStatus.ABSENT
        if record.status != status:
            changes["status"] = status
        if item.ratings and not record.has_survey:
            changes["survey"] = item.ratings
        return changes

    # --- writing --------------------------------------------------------------------------------------
    def write(self, plan: Plan) -> None:
        now = timezone.now()
        vendors = self._create_vendors(plan)
        batches = self._create_batches(plan, vendors)
        batches.update({key: b for key, b in (self._db_batches or {}).items()})
        ids = sorted({i.worker.pk for i in plan.creates})
        ranks = {}
        for start in range(0, len(ids), 900):
            ranks.update(Worker.objects.filter(pk__in=ids[start:start + 900]).values_list("pk", "highest_level_rank"))
        apps = RetreatApplication.objects.bulk_create([
            RetreatApplication(
                batch=batches[i.batch.key], worker=i.worker, org_id=i.worker.org_id, channel=Channel.NOMINATED,
                submitted_by=person(self.actor), decided_by=person(self.actor), decided_at=now,
                status=ApplicationStatus.ATTENDED if i.attended else ApplicationStatus.ABSENT,
                level_rank=ranks.get(i.worker.pk, 0), attendance_recorded_at=now, benefit_recorded=i.attended,
                survey_token=secrets.token_urlsafe(24))
            for i in plan.creates], batch_size=2000)
        surveys = [(app, i.ratings, i.comment) for app, i in zip(apps, plan.creates, strict=True) if i.ratings]
        attended = [app for app in apps if app.status == ApplicationStatus.ATTENDED]
        changed = []
        for item, app, changes in plan.updates:
            if "status" in changes:
                app.status = changes["status"]
                app.attendance_recorded_at = now
                if app.status == ApplicationStatus.ATTENDED:
                    app.benefit_recorded = True
                    attended.append(app)
                changed.append(app)
            if "survey" in changes:
                surveys.append((app, changes["survey"], item.comment))
        RetreatApplication.objects.bulk_update(changed, ["status", "attendance_recorded_at", "benefit_recorded"],
                                               batch_size=2000)
        SurveyResponse.objects.bulk_create([
            SurveyResponse(application=app, batch_id=app.batch_id, comment=comment, **ratings)
            for app, ratings, comment in surveys], batch_size=2000)
        self.counts["surveys"] = len(surveys)
        self.counts["benefits"] = self._record_benefits(attended, {b.pk: b for b in batches.values()})
        self._fit_seats({app.batch_id for app in apps} | {app.batch_id for app in changed})

    def _create_vendors(self, plan: Plan) -> dict[str, Vendor]:
        names = sorted({i.batch.vendor_name for i in plan.creates if i.batch.vendor_name
                        and i.batch.key not in (self._db_batches or {}) and self._find_vendor(i.batch) is None})
        created = Vendor.objects.bulk_create([
            Vendor(org=self.org, name=n, kind=VendorKind.BASE if ("基地" in n or "疗养院" in n) else VendorKind.AGENCY,
                   note="由疗休养名单导入时新建") for n in names])
        self.counts["vendors"] = len(created)
        return {v.name: v for v in created}

    def _create_batches(self, plan: Plan, vendors: dict[str, Vendor]) -> dict[tuple, RetreatBatch]:
        infos: dict[tuple, BatchInfo] = {}
        seats: dict[tuple, int] = {}
        for item in plan.creates:
            key = item.batch.key
            if key in (self._db_batches or {}):
                continue
            infos[key] = item.batch
            seats[key] = seats.get(key, 0) + 1
        rows = []
        for key, info in infos.items():
            vendor = (self._find_vendor(info) or vendors.get(info.vendor_name)) if info.vendor_name else None
            cost = info.cost if info.cost is not None else Decimal("0.00")
            rows.append(RetreatBatch(
                org_id=info.org_id, name=info.name, destination=info.destination, start_date=info.start_date,
                end_date=info.end_date, vendor=vendor, capacity=seats[key], cost_per_person=cost,
                budget=cost * seats[key], leader_name=info.leader_name, status=_held_status(info, self.today),
                note="由疗休养名单导入"))
        created = RetreatBatch.objects.bulk_create(rows, batch_size=2000)
        self.counts["batches"] = len(created)
        return {(b.org_id, b.name, b.start_date): b for b in created}

    def _record_benefits(self, attended: list[RetreatApplication], batches: dict[int, RetreatBatch]) -> int:
        """The 疗休养 benefit each attendance records in the care module (as `_record_benefit` on the page)."""
        if not attended:
            return 0
        benefit_type = _benefit_type()
        sources = {f"retreat:{a.batch_id}" for a in attended}
        have = set(BenefitGrant.objects.filter(benefit_type=benefit_type, source__in=sources, is_void=False)
                   .values_list("worker_id", "year", "source"))
        rows = []
        for app in attended:
            batch = batches[app.batch_id]
            key = (app.worker_id, batch.start_date.year, f"retreat:{batch.pk}")
            if key in have:
                continue
            have.add(key)
            rows.append(BenefitGrant(
                worker_id=app.worker_id, benefit_type=benefit_type, org_id=app.org_id, year=batch.start_date.year,
                grant_date=min(batch.end_date, self.today), source=key[2], recorded_by=person(self.actor),
                note=(f"参加疗休养“{batch.name}”({batch.start_date:%Y-%m-%d}至{batch.end_date:%Y-%m-%d},"
                      f"{batch.destination})")[:300]))
        BenefitGrant.objects.bulk_create(rows, batch_size=2000)
        return len(rows)

    def _fit_seats(self, batch_ids: set[int]) -> None:
        """A batch seats at least the people who went (or were confirmed), with the budget to match."""
        if not batch_ids:
            return
        grown = []
        for batch in (RetreatBatch.objects.filter(pk__in=batch_ids)
                      .annotate(seats=Count("applications", filter=Q(applications__status__in=SEAT_STATUSES)))):
            if batch.seats > batch.capacity:
                batch.capacity = batch.seats
                batch.budget = max(batch.budget, batch.cost_per_person * batch.capacity)
                grown.append(batch)
        RetreatBatch.objects.bulk_update(grown, ["capacity", "budget"], batch_size=2000)

    def dry_counts(self, plan: Plan) -> dict:
        new_batches = {i.batch.key for i in plan.creates} - set(self._db_batches or {})
        vendors = {i.batch.vendor_name for i in plan.creates if i.batch.key in new_batches and i.batch.vendor_name
                   and self._find_vendor(i.batch) is None}
        surveys = sum(1 for i in plan.creates if i.ratings) + sum(1 for *_, c in plan.updates if "survey" in c)
        attending = [(i.batch.key, i.worker.pk) for i in plan.creates if i.attended]
        attending += [(i.batch.key, i.worker.pk) for i, _, c in plan.updates
                      if c.get("status") == ApplicationStatus.ATTENDED]
        benefits = sum(1 for key, _ in attending if key in new_batches)
        old = [(self._db_batches[key], worker) for key, worker in attending if key not in new_batches]
        if old:
            have = set(BenefitGrant.objects.filter(
                benefit_type__code="retreat", is_void=False,
                source__in={f"retreat:{b.pk}" for b, _ in old}).values_list("worker_id", "source"))
            benefits += sum(1 for b, w in old if (w, f"retreat:{b.pk}") not in have)
        return {"batches": len(new_batches), "vendors": len(vendors), "surveys": surveys, "benefits": benefits}


def _live_apps():
    return RetreatApplication.objects.filter(status__in=LIVE_STATUSES).annotate(
        has_survey=Exists(SurveyResponse.objects.filter(application=OuterRef("pk"))))


def _held_status(info: BatchInfo, today: date) -> str:
    return BatchStatus.ONGOING if info.end_date >= today else BatchStatus.COMPLETED


def _benefit_type() -> BenefitType:
    benefit_type = BenefitType.objects.filter(code="retreat").first()
    if benefit_type is None:  # the defaults flushed (a test database): put them back, as the care service does
        seed_defaults()
        benefit_type = BenefitType.objects.get(code="retreat")
    return benefit_type
