"""The benefits ledger (待遇落实台账 / 补助发放台账): which benefit a worker received in which year, recorded by
hand (source ""), one per worker, benefit and year as `benefit_grant_add` keeps them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from laomo.core.actors import person
from laomo.core.importing import Column, Importer, Plan, Row, register
from laomo.core.years import check_year

from ..models import BenefitGrant, BenefitType
from ..services.common import WHAT
from .common import MODULE_LABEL, PERSON_COLUMNS

# Words clerks write for the default benefit types (by code); a type's own name always matches too.
TYPE_WORDS = [
    ("special_hardship", ("特殊困难", "特困")),
    ("hardship_subsidy", ("困难补助", "困难帮扶", "帮扶金", "补助金", "困难")),
    ("honor_allowance", ("荣誉津贴", "津贴", "荣誉金")),
    ("health_checkup", ("体检",)),
    ("retreat", ("疗休养", "疗养", "休养")),
    ("festival", ("节日慰问", "春节慰问", "慰问金", "节日", "春节")),
]


@dataclass
class GrantRow:
    worker: object
    benefit_type: BenefitType
    year: int
    grant_date: date
    amount: Decimal | None
    note: str


@register
class GrantImporter(Importer):
    kind = "care_grants"
    label = "待遇落实台账"
    module_label = MODULE_LABEL
    record_label = "条待遇落实记录"
    what = WHAT
    audit_action = "care.grant.import"
    order = 42
    key_help = ("同一劳模、同一待遇、同一年度视为同一条记录(由慰问记录或疗休养自动登记的也算,不再重复登记;"
                "人工登记的可更新金额、日期和备注)。")
    columns = (
        *PERSON_COLUMNS,
        Column("benefit_type", "待遇", ("待遇类型", "待遇名称", "待遇项目", "补助类型", "补助项目", "项目", "发放项目"),
               required=True, example="健康体检",
               help="按数据字典“劳模待遇类型”的名称填写(如荣誉津贴、困难补助、健康体检)"),
        Column("year", "待遇年度", ("年度", "年份", "发放年度"), example="2023", help="不填按落实日期的年份"),
        Column("grant_date", "落实日期", ("发放日期", "发放时间", "落实时间", "日期", "体检日期"), example="2023-05-20",
               help="只填年度时按当年12月31日登记"),
        Column("amount", "金额(元)", ("金额", "发放金额", "补助金额", "补助金额(元)", "发放金额(元)", "标准(元)"),
               example="800.00"),
        Column("note", "备注", ("说明",), example=""),
    )

    def _load(self) -> None:
        if getattr(self, "_types", None) is not None:
            return
        types = list(BenefitType.objects.filter(is_active=True))
        by_code = {t.code: t for t in types}
        self._types: list[tuple[tuple[str, ...], BenefitType]] = [((t.name, t.code), t) for t in types]
        self._types += [(words, by_code[code]) for code, words in TYPE_WORDS if code in by_code]

    def parse(self, row: Row) -> GrantRow | None:
        self._load()
        worker = row.worker()
        benefit = self._benefit(row)
        day = row.date("grant_date")
        year = row.int("year", minimum=1949, maximum=self.today.year + 1) if row.present("year") else None
        if day is None and year is not None and not row.present("grant_date"):
            day = min(date(year, 12, 31), self.today)
            row.warn(f"未填落实日期,按{day:%Y-%m-%d}登记", kind="只填了年度,落实日期按当年12月31日(本年按今天)登记")
        elif day is None and not row.present("grant_date"):
            row.error("落实日期为空")
        if year is None and day is not None and not row.present("year"):
            year = day.year
        if day is not None and year is not None and not year - 1 <= day.year <= year + 1:
            row.error(f"落实日期应在{year}年前后")
        amount = row.money("amount")
        note = row.text("note", max_length=300)
        if year is not None:
            try:
                year = check_year(year)
            except ValidationError as exc:
                row.error("；".join(exc.messages))
        if worker is None or benefit is None or day is None or row.errors:
            return None
        return GrantRow(worker=worker, benefit_type=benefit, year=year, grant_date=day, amount=amount, note=note)

    def _benefit(self, row: Row) -> BenefitType | None:
        text = row.text("benefit_type", required=True)
        if not text:
            return None
        for words, benefit in self._types:
            if text in words:
                return benefit
        for words, benefit in self._types:
            if any(w in text for w in words):
                return benefit
        names = "、".join(dict.fromkeys(t.name for _, t in self._types))
        row.error(f"无法识别的待遇“{text}”(可填:{names})")
        return None

    def key(self, item: GrantRow) -> tuple:
        return (item.worker.pk, item.benefit_type.pk, item.year)

    def existing(self, keys):
        found = {}
        for g in (BenefitGrant.objects.filter(is_void=False, worker__in={k[0] for k in keys},
                                              year__in={k[2] for k in keys}).order_by("source", "id")):
            found.setdefault((g.worker_id, g.benefit_type_id, g.year), g)  # the one recorded by hand first
        return {k: found[k] for k in keys if k in found}

    def changes(self, item: GrantRow, record: BenefitGrant) -> dict:
        if record.source:  # recorded from a visit or a retreat: that record is the one to correct
            return {}
        out = {}
        if item.amount is not None and item.amount != record.amount:
            out["amount"] = item.amount
        if item.grant_date != record.grant_date:
            out["grant_date"] = item.grant_date
        if item.note and item.note != record.note:
            out["note"] = item.note
        return out

    def write(self, plan: Plan) -> None:
        recorded_by = person(self.actor)
        BenefitGrant.objects.bulk_create([
            BenefitGrant(worker=i.worker, benefit_type=i.benefit_type, org_id=i.worker.org_id, year=i.year,
                         grant_date=i.grant_date, amount=i.amount, source="", note=i.note, recorded_by=recorded_by)
            for i in plan.creates], batch_size=2000)
        updated, now = [], timezone.now()
        for _, grant, changes in plan.updates:
            grant.updated_at = now
            for key, value in changes.items():
                setattr(grant, key, value)
            updated.append(grant)
        BenefitGrant.objects.bulk_update(updated, ["amount", "grant_date", "note", "updated_at"], batch_size=1000)
