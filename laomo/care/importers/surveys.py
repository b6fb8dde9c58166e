"""The hardship survey ledger (困难劳模摸底表 / 调查台账): one survey form per worker and year, in the city's
round of that year (opened here for a past year when the ledger gives its 困难标准), approved when the
importer may review it (the city), else submitted for the city's review."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils import timezone

from laomo.core import audit, dictionary
from laomo.core.actors import person
from laomo.core.importing import Column, Importer, Plan, Row, register
from laomo.core.money import money_str
from laomo.core.services import notify
from laomo.orgs.models import OrgKind, OrgUnit
from laomo.orgs.selectors import staff_responsible_for
from laomo.workers.models import EmploymentStatus, Worker

from ..models import (
    DictKind,
    HardshipLevel,
    HardshipSurvey,
    HousingType,
    RoundStatus,
    SurveyRound,
    SurveyStatus,
    VerificationMethod,
)
from ..services.common import LIVING_STATUSES, WHAT
from ..services.surveys import compute_hardship_level, severe_causes
from .common import MODULE_LABEL, PERSON_COLUMNS, date_or_year, may_edit, split_words

CENT = Decimal("0.01")
LEVEL_WORDS = [
    (("特殊困难", "特困", "特别困难"), HardshipLevel.SPECIAL),
    (("非困难", "不困难", "不符合", "不属于", "脱困", "一般", "否", "无"), HardshipLevel.NONE),
    (("困难", "是", "符合"), HardshipLevel.HARDSHIP),
]
METHOD_WORDS = [(("电话",), VerificationMethod.PHONE), (("比对", "信息", "数据", "系统"), VerificationMethod.DATA),
                (("入户", "走访", "上门", "实地"), VerificationMethod.HOME)]
HOUSING_WORDS = [(("公房", "廉租", "公租"), HousingType.PUBLIC_RENT), (("租",), HousingType.PRIVATE_RENT),
                 (("借住", "借"), HousingType.BORROWED), (("自有", "自购", "自建", "商品房", "房改"), HousingType.OWN),
                 (("其他", "其它", "无房"), HousingType.OTHER)]
EMPLOYMENT_WORDS = [(("退休", "离休", "离退"), EmploymentStatus.RETIRED),
                    (("下岗", "买断", "失业"), EmploymentStatus.LAID_OFF),
                    (("自谋", "个体", "灵活就业", "务农", "农民"), EmploymentStatus.SELF_EMPLOYED),
                    (("在职", "在岗", "在业"), EmploymentStatus.ACTIVE), (("其他", "其它"), EmploymentStatus.OTHER)]
DISABILITY_WORDS = [(("一级", "1"), "1"), (("二级", "2"), "2"), (("三级", "3"), "3"), (("四级", "4"), "4"),
                    (("无", "否", "不"), "")]


@dataclass
class SurveyRow:
    worker: object
    city_id: int
    year: int
    survey_date: date
    verification_method: str
    visitors: str
    household_size: int
    employment: str
    housing_type: str
    housing_area: Decimal | None
    details: dict
    level: str
    threshold: Decimal | None  # the 困难标准 written (opens the year's round when there is none)
    causes: list = field(default_factory=list)


@register
class SurveyImporter(Importer):
    kind = "care_surveys"
    label = "困难劳模调查台账"
    module_label = MODULE_LABEL
    record_label = "份调查表"
    what = WHAT
    audit_action = "care.survey.import"
    order = 41
    key_help = ("同一劳模同一年度只有一份调查表(已有的不会被修改)。表内“认定结果”按台账登记,未填时按当年困难标准计算;"
                "当年调查尚未开启时,填写“困难标准”列即由市总工会账号开启(往年的为已结束,往年已结束的调查可补录)。市总工会导入的直接审核通过,"
                "县级导入的提交市总工会审核。")
    count_labels = {"rounds": "开启年度调查"}
    columns = (
        *PERSON_COLUMNS,
        Column("survey_date", "走访日期", ("调查日期", "摸底日期", "核实日期", "填报日期", "日期"),
               example="2023-06-10"),
        Column("year", "年度", ("调查年度", "摸底年度", "年份"), example="2023",
               help="只填年度时,走访日期按当年12月31日登记"),
        Column("household_size", "家庭人口", ("家庭人口数", "家庭人数", "家庭成员数", "人口"), required=True,
               example="3"),
        Column("income_per_capita", "家庭人均月收入(元)", ("人均月收入", "家庭人均月收入", "人均收入"),
               example="1200.00", help="未填时按“家庭月收入 ÷ 家庭人口”或“人均年收入 ÷ 12”计算(四舍五入到分)"),
        Column("income_family", "家庭月收入(元)", ("家庭月收入", "家庭月总收入", "家庭收入"), example=""),
        Column("income_year", "家庭人均年收入(元)", ("人均年收入", "家庭人均年收入"), example=""),
        Column("income_own", "本人月收入(元)", ("本人月收入", "个人月收入", "月收入"), example="1500.00"),
        Column("causes", "致困原因", ("困难原因", "致困原因(可多选)", "困难类型"), example="因病、因学",
               help="按数据字典“致困原因”的名称填写,多个用顿号分隔"),
        Column("level", "认定结果", ("困难等级", "困难类别", "认定等级", "是否困难", "审核结果", "结果"),
               example="困难",
               help="困难、特殊困难或非困难;不填按困难标准计算"),
        Column("threshold", "困难标准(元)", ("困难标准", "当地低保标准", "低保标准", "困难标准(人均月收入)"),
               example="", help="家庭人均月收入的困难标准;当年调查未开启时必填"),
        Column("health", "健康状况", ("身体状况", "健康情况"), example="一般慢性病",
               help="按数据字典“健康状况”的名称填写;其他写法记入健康说明"),
        Column("disability", "残疾等级", ("残疾",), example=""),
        Column("major_illness", "重大疾病", ("是否重大疾病", "大病"), example=""),
        Column("employment", "就业状况", ("在职状态", "就业情况", "工作状况"), example="退休",
               help="不填按劳模库中的在职状态"),
        Column("housing_type", "住房情况", ("住房", "住房类型"), example="自有住房", help="不填记为“其他”"),
        Column("housing_area", "人均住房面积", ("人均住房面积(㎡)", "住房面积"), example=""),
        Column("verification_method", "核实方式", ("调查方式", "走访方式"), example="入户走访",
               help="入户走访、电话询访、信息比对;不填按入户走访"),
        Column("visitors", "走访人", ("调查人", "摸底人", "核实人"), example=""),
        Column("needs", "帮扶需求", ("需求", "主要需求", "诉求"), example=""),
    )

    # --- what parsing needs, loaded once ------------------------------------------------------------------
    def _load(self) -> None:
        if getattr(self, "_loaded", False):
            return
        self._loaded = True
        self._causes = dictionary.by_code(DictKind.HARDSHIP_CAUSE, active_only=False)
        self._severe = severe_causes(self._causes)
        self._health = dictionary.by_code(DictKind.HEALTH_CATEGORY, active_only=False)
        self._rounds = {(r.org_id, r.year): r for r in SurveyRound.objects.all()}
        self._thresholds: dict[tuple, tuple[Decimal, int]] = {}  # (city, year) -> (threshold, first row)
        self._reviewer: dict[int, bool] = {}
        self._died = dict(Worker.objects.filter(self.org.subtree_q("org"), employment_status=EmploymentStatus.DECEASED)
                          .values_list("pk", "status_date"))

    def _city(self, org_id: int) -> OrgUnit | None:
        unit = self.units.by_pk.get(org_id)
        while unit is not None and unit.kind != OrgKind.CITY:
            unit = self.units.by_pk.get(unit.parent_id)
        return unit

    def may_review(self, city_id: int) -> bool:
        if city_id not in self._reviewer:
            self._reviewer[city_id] = may_edit(self.actor, self.units.by_pk[city_id])
        return self._reviewer[city_id]

    # --- one row ------------------------------------------------------------------------------------------
    def parse(self, row: Row) -> SurveyRow | None:
        self._load()
        worker = row.worker()
        day, year = date_or_year(row, date_key="survey_date", year_key="year", today=self.today, label="走访日期")
        size = row.int("household_size", required=True, minimum=1, maximum=30)
        per_capita = self._per_capita(row, size)
        own = row.money("income_own")
        causes = self._causes_of(row)
        level = row.choice("level", LEVEL_WORDS)
        threshold = row.money("threshold")
        if threshold is not None and threshold <= 0:
            row.error("困难标准应大于0")
        housing_area = row.decimal("housing_area", places=2, maximum=Decimal(10000))
        method = row.choice("verification_method", METHOD_WORDS)
        if method is None and not row.present("verification_method"):
            method = VerificationMethod.HOME
            row.warn("未填核实方式,按入户走访登记", kind="未填核实方式,按入户走访登记")
        details = {"income_per_capita": money_str(per_capita) if per_capita is not None else "",
                   "major_illness": row.flag("major_illness"),
                   "disability_grade": row.choice("disability", DISABILITY_WORDS, default=""),
                   "causes": causes, "needs": row.text("needs", max_length=500), **self._health_of(row)}
        if own is not None:
            details["income_own"] = money_str(own)
        if worker is None or day is None or row.errors:
            return None
        died = self._died.get(worker.pk)
        if died is not None and died < day:
            row.error(f"{worker.name} 已于 {died:%Y-%m-%d} 去世")
            return None
        employment = self._employment(row, worker, day)
        city = self._city(worker.org_id)
        if city is None:
            row.error(f"{worker.name}的所属单位不在任何市总工会之下,无法归入年度调查")
            return None
        survey_round = self._rounds.get((city.pk, year))
        threshold = self._round_threshold(row, city, year, survey_round, threshold)
        if row.errors or employment is None:
            return None
        computed = compute_hardship_level(per_capita=per_capita, threshold=threshold,
                                          factor=survey_round.marginal_factor if survey_round else Decimal("1.50"),
                                          causes=causes, severe_codes=self._severe) if threshold else None
        if level is None and computed is None:
            row.error("未填认定结果,也无困难标准可计算(请填写“认定结果”或“困难标准”)")
            return None
        if level is not None and computed is not None and level != computed:
            row.warn(f"认定结果“{HardshipLevel(level).label}”与按困难标准{money_str(threshold)}元计算的"
                     f"“{HardshipLevel(computed).label}”不同,按台账登记",
                     kind="认定结果与按困难标准计算的不同,按台账登记")
        return SurveyRow(worker=worker, city_id=city.pk, year=year, survey_date=day, verification_method=method,
                         visitors=row.text("visitors", max_length=200), household_size=size, employment=employment,
                         housing_type=row.choice("housing_type", HOUSING_WORDS, default=HousingType.OTHER),
                         housing_area=housing_area, details=details, level=level or computed,
                         threshold=threshold if survey_round is None else None, causes=causes)

    def _per_capita(self, row: Row, size: int | None) -> Decimal | None:
        value = row.money("income_per_capita")
        if value is not None or row.present("income_per_capita"):
            return value
        family, yearly = row.money("income_family"), row.money("income_year")
        if family is not None and size:
            return (family / size).quantize(CENT, rounding=ROUND_HALF_UP)
        if yearly is not None:
            return (yearly / 12).quantize(CENT, rounding=ROUND_HALF_UP)
        if not row.present("income_family") and not row.present("income_year"):
            row.error("家庭人均月收入为空(也可填家庭月收入和家庭人口,或人均年收入)")
        return None

    def _causes_of(self, row: Row) -> list[str]:
        text = row.text("causes")
        if not text or text in ("无", "/", "-"):
            return []
        labels = {item.label: code for code, item in self._causes.items()}
        found = []
        for word in split_words(text):
            code = labels.get(word) or (word if word in self._causes else None) or labels.get(f"因{word}")
            if code is None:
                code = next((c for label, c in labels.items() if label in word), None)
            if code is None:
                row.error(f"无法识别的致困原因“{word}”(可填:{'、'.join(labels)})")
            elif code not in found:
                found.append(code)
        return [c for c in self._causes if c in found]

    def _health_of(self, row: Row) -> dict:
        text = row.text("health", max_length=500)
        if not text:
            return {"health_category": "", "health_detail": ""}
        labels = {item.label: code for code, item in self._health.items()}
        code = labels.get(text) or next((c for label, c in labels.items() if label in text), None)
        if code is None:
            row.warn(f"健康状况“{text}”不在数据字典中,记入健康说明", kind="健康状况不在数据字典中,记入健康说明")
            return {"health_category": "", "health_detail": text}
        return {"health_category": code, "health_detail": "" if labels.get(text) else text}

    def _employment(self, row: Row, worker, day: date) -> str | None:
        status = row.choice("employment", EMPLOYMENT_WORDS)
        if status is not None or row.present("employment"):
            return status
        if worker.employment_status in LIVING_STATUSES:
            return worker.employment_status
        row.error("就业状况为空(劳模库中该劳模已去世,请填写调查时的就业状况)")
        return None

    def _round_threshold(self, row: Row, city: OrgUnit, year: int, survey_round, written) -> Decimal | None:
        if survey_round is not None:
            if survey_round.status != RoundStatus.OPEN and year >= self.today.year:
                row.error(f"“{survey_round.name}”已结束,不能再填报")
            return survey_round.income_threshold
        if written is None:
            row.error(f"{city.name}{year}年的困难劳模调查尚未开启:请先开启,或在本表填写“困难标准”列")
            return None
        first = self._thresholds.setdefault((city.pk, year), (written, row.number))
        if first[0] != written:
            row.error(f"{year}年困难标准{money_str(written)}元与第{first[1]}行的{money_str(first[0])}元不同")
        if not self.may_review(city.pk):
            row.error(f"{year}年的困难劳模调查尚未开启,须由{city.name}开启")
        return written

    # --- the plan -----------------------------------------------------------------------------------------
    def key(self, item: SurveyRow) -> tuple:
        return (item.worker.pk, item.city_id, item.year)

    def existing(self, keys):
        workers = {k[0] for k in keys}
        found = {}
        for s in (HardshipSurvey.objects.filter(is_deleted=False, worker__in=workers,
                                                round__year__in={k[2] for k in keys})
                  .only("pk", "worker_id", "round__org_id", "round__year").select_related("round")):
            found.setdefault((s.worker_id, s.round.org_id, s.round.year), s)
        return {k: found[k] for k in keys if k in found}

    def changes(self, item: SurveyRow, record) -> dict:
        return {}  # a form is changed through the survey pages (and their review), never overwritten by a ledger

    def write(self, plan: Plan) -> None:
        self._load()
        now = timezone.now()
        me = person(self.actor)
        rounds = self._open_rounds(plan, me)
        surveys, pending = [], {}
        for i in plan.creates:
            review = self.may_review(i.city_id)
            surveys.append(HardshipSurvey(
                round=rounds[(i.city_id, i.year)], worker=i.worker, org_id=i.worker.org_id, survey_date=i.survey_date,
                verification_method=i.verification_method, visitors=i.visitors, household_size=i.household_size,
                employment=i.employment, insurance=[], housing_type=i.housing_type, housing_area=i.housing_area,
                details=i.details, hardship_level=i.level,
                status=SurveyStatus.APPROVED if review else SurveyStatus.SUBMITTED, submitted_at=now,
                reviewed_at=now if review else None, reviewed_by=me if review else None,
                review_comment="台账导入" if review else "", created_by=me))
            if not review:
                pending[i.city_id] = pending.get(i.city_id, 0) + 1
        HardshipSurvey.objects.bulk_create(surveys, batch_size=1000)
        for city_id, count in pending.items():
            reviewers = [u for u in staff_responsible_for(self.units.by_pk[city_id]) if u.pk != getattr(me, "pk", None)]
            notify(recipients=reviewers, text=f"收到 {count} 份困难劳模调查表(台账导入),请审核",
                   url=reverse("care:survey_list") + "?status=submitted")

    def _open_rounds(self, plan: Plan, me) -> dict:
        rounds = dict(self._rounds)
        needed = {(i.city_id, i.year): i.threshold for i in plan.creates if (i.city_id, i.year) not in rounds}
        self.counts["rounds"] = len(needed)
        for (city_id, year), threshold in sorted(needed.items()):
            city = self.units.by_pk[city_id]
            end = min(date(year, 12, 31), max(self.today, date(year, 1, 1)))
            survey_round = SurveyRound.objects.create(
                year=year, name=f"{year}年困难劳模调查", org=city, start_date=date(year, 1, 1), end_date=end,
                income_threshold=threshold, status=RoundStatus.CLOSED if year < self.today.year else RoundStatus.OPEN,
                note="由困难劳模调查台账导入开启", created_by=me)
            audit.record(actor=self.actor, action="care.round.open", obj=survey_round, org=city,
                         changes={"year": year, "income_threshold": money_str(threshold), "source": "import"})
            rounds[(city_id, year)] = survey_round
        return rounds

    def dry_counts(self, plan: Plan) -> dict:
        self._load()
        return {"rounds": len({(i.city_id, i.year) for i in plan.creates if (i.city_id, i.year) not in self._rounds})}

