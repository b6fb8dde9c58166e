"""The django-import-export peer of laomo's roster import: the same checks, its bulk options on.

Imported only once Django is set up. Every row goes through django-import-export's own pipeline
(`import_row`: `before_import_row`, instance lookup, `import_instance` through the field widgets,
`validate_instance`, `save_instance` queued for `bulk_create` in batches of 1000), inside one
transaction (`use_transactions=True`, like laomo's all-or-nothing commit). `before_import_row` does
laomo's per-row validation with the same functions (`laomo.core.idnumber`, `laomo.workers.parsing`,
`laomo.workers.services`): a bad row raises `ValidationError` and is reported as an invalid row.

Honors are not a column of Worker: `before_import_row` parses them with the row, and `after_import`
(still inside the import's transaction) writes them with `Honor.objects.bulk_create` once the workers
have their primary keys, skipping honors a worker already has (worker, title, year), so a second
import adds nothing, like laomo's. The highest honor level is derived from the row's honors.

Choices made to give the peer its best, documented speed: `use_bulk=True`, `batch_size=1000`,
`skip_diff=True` (no per-row deepcopy/diff, which only the admin's preview shows),
`skip_unchanged=False`, the org set as `org_id` (a `ForeignKeyWidget` would query per row), an
instance loader that loads the existing workers of the file in chunks of 900 keys (the stock
`CachedInstanceLoader` sends one `IN` with all of them, which SQLite refuses above 32766
parameters; the stock `ModelInstanceLoader` queries once per row), worker numbers reserved from the
same counter in blocks of 1000, each cell cleaned once, and region and honor texts parsed once per
distinct text (the same memoization laomo's importer does).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.instance_loaders import ModelInstanceLoader

from laomo.core.idnumber import (
    IdNumberError,
    PhoneError,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_phone,
    parse_id_number,
)
from laomo.orgs.models import OrgUnit
from laomo.workers.models import LEVEL_RANK, EmploymentStatus, Honor, Worker
from laomo.workers.parsing import (
    HonorParseError,
    ParseError,
    parse_award_year,
    parse_birth_date,
    parse_honor,
    parse_sex,
    resolve_region,
)
from laomo.workers.services import allocate_worker_numbers, id_index, name_pinyin, phone_index, place_kind_from_orgs

# The roster's header texts (the generated file uses one spelling of each).
COL = {"name": "姓名", "sex": "性别", "ethnicity": "民族", "birth_date": "出生年月", "id_number": "身份证号",
       "phone": "联系电话", "region": "所属地区", "employer": "工作单位", "job_title": "职务", "honor": "荣誉称号",
       "award_year": "获评年份", "employment_status": "在职状态", "political_status": "政治面貌",
       "education": "学历", "address": "通讯地址"}
MAX_LENGTHS = {"name": 50, "employer": 200, "job_title": 100, "ethnicity": 20, "political_status": 20,
               "education": 20, "address": 500}
STATUS_WORDS = [
    (("去世", "已故", "死亡", "病故"), EmploymentStatus.DECEASED),
    (("离退休", "退休", "离休"), EmploymentStatus.RETIRED),
    (("下岗", "买断"), EmploymentStatus.LAID_OFF),
    (("自谋职业", "个体"), EmploymentStatus.SELF_EMPLOYED),
    (("在职", "在岗"), EmploymentStatus.ACTIVE),
    (("其他",), EmploymentStatus.OTHER),
]
KEY = "_id_number_index"  # normalized columns added to the row by before_import_row start with "_"


def _clean(value) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()


def _row_key(row) -> str | None:
    try:
        number = normalize_id_number(row.get(COL["id_number"]))
    except IdNumberError:
        return None
    return id_index(number) if number else None


class ChunkedInstanceLoader(ModelInstanceLoader):
    """CachedInstanceLoader, chunked: existing workers of the whole file in len/900 queries."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        keys = [k for k in (_row_key(dict(zip(dataset.headers, r, strict=False))) for r in dataset) if k]
        self.by_key: dict[str, Worker] = {}
        for start in range(0, len(keys), 900):
            for worker in Worker.objects.filter(id_number_index__in=keys[start:start + 900]):
                self.by_key[worker.id_number_index] = worker

    def get_instance(self, row):
        key = row.get(KEY)
        return self.by_key.get(key) if key else None


def _text(attribute: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=f"_{attribute}", widget=widgets.CharWidget(allow_blank=True))


class WorkerResource(resources.ModelResource):
    name = _text("name")
    name_pinyin = _text("name_pinyin")
    name_initials = _text("name_initials")
    sex = _text("sex")
    ethnicity = _text("ethnicity")
    birth_date = fields.Field(attribute="birth_date", column_name="_birth_date", widget=widgets.DateWidget())
    id_number = _text("id_number")
    id_number_index = fields.Field(attribute="id_number_index", column_name=KEY, widget=widgets.CharWidget())
    id_number_masked = _text("id_number_masked")
    phone = _text("phone")
    phone_index = _text("phone_index")
    phone_masked = _text("phone_masked")
    address = _text("address")
    employer = _text("employer")
    job_title = _text("job_title")
    political_status = _text("political_status")
    education = _text("education")
    employment_status = _text("employment_status")
    org_id = fields.Field(attribute="org_id", column_name="_org_id", widget=widgets.IntegerWidget())
    highest_level_rank = fields.Field(attribute="highest_level_rank", column_name="_highest_level_rank",
                                      widget=widgets.IntegerWidget())

    class Meta:
        model = Worker
        fields = ("name", "name_pinyin", "name_initials", "sex", "ethnicity", "birth_date", "id_number",
                  "id_number_index", "id_number_masked", "phone", "phone_index", "phone_masked", "address",
                  "employer", "job_title", "political_status", "education", "employment_status", "org_id",
                  "highest_level_rank")
        import_id_fields = ("id_number_index",)
        instance_loader_class = ChunkedInstanceLoader
        use_bulk = True
        batch_size = 1000
        skip_unchanged = False
        skip_diff = True
        skip_html_diff = True
        use_transactions = True
        clean_model_instances = False  # the checks below are the validation, as in laomo

    def __init__(self, *, org: OrgUnit, **kwargs):
        super().__init__(**kwargs)
        self.org = org
        self.today = timezone.localdate()
        self.place_kind = place_kind_from_orgs()
        units = list(OrgUnit.objects.filter(is_active=True))
        self.unit_codes: dict[str, str] = {}
        for unit in units:
            for name in {unit.name, unit.short_name, unit.name.removesuffix("总工会")} - {""}:
                self.unit_codes.setdefault(name, unit.code)
        self.units_by_code = {u.code: u for u in units}
        self.regions: dict[str, str | None] = {}
        self.parsed_honors: dict[str, list | str] = {}
        self.numbers: list[str] = []
        self.honors: dict[str, list[tuple]] = {}  # worker key -> [(level, kind, title, year, award_date)]

    def before_import(self, dataset, **kwargs):
        # The natural key is derived from the ID number by before_import_row; django-import-export checks
        # before the first row that the import id column exists, so it starts out empty.
        dataset.append_col([None] * len(dataset), header=KEY)

    # --- per row ------------------------------------------------------------------------------------

    def before_import_row(self, row, **kwargs):
        errors: list[str] = []
        cleaned = {key: _clean(row.get(column)) for key, column in COL.items()}  # each cell cleaned once
        get = cleaned.__getitem__
        name = get("name").replace(" ", "")
        if not name:
            errors.append("姓名为空")
        for key, limit in MAX_LENGTHS.items():
            if len(get(key)) > limit:
                errors.append(f"{key}超过{limit}个字")
        org = self.org
        region = get("region")
        if region:
            if region not in self.regions:
                self.regions[region] = resolve_region(region, self.unit_codes)
            code = self.regions[region]
            if code is None:
                errors.append(f"无法识别所属地区“{region}”")
            elif not self.units_by_code[code].is_within(self.org):
                errors.append(f"所属地区“{region}”不在本次导入单位({self.org.name})范围内")
            else:
                org = self.units_by_code[code]
        typed_sex = typed_birth = None
        try:
            typed_sex = parse_sex(get("sex")) if get("sex") else None
        except ParseError as exc:
            errors.append(str(exc))
        try:
            typed_birth = parse_birth_date(get("birth_date"), today=self.today) if get("birth_date") else None
        except ParseError as exc:
            errors.append(str(exc))
        number, sex, birth = "", typed_sex or "", typed_birth
        raw_id = row.get(COL["id_number"])
        if raw_id not in (None, "") and str(raw_id).strip():
            try:
                info = parse_id_number(raw_id, today=self.today)
            except IdNumberError as exc:
                errors.append(str(exc))
            else:
                number, sex, birth = info.number, info.sex, info.birth_date
                if typed_sex and typed_sex != info.sex:
                    errors.append("性别与身份证号不符")
                if typed_birth and (typed_birth.year, typed_birth.month) != (birth.year, birth.month):
                    errors.append("出生日期与身份证号不符")
        phone = ""
        if get("phone"):
            try:
                phone = normalize_phone(row.get(COL["phone"]))
            except PhoneError as exc:
                errors.append(str(exc))
        year = award_date = None
        if get("award_year"):
            try:
                year, award_date = parse_award_year(get("award_year"), today=self.today)
            except ParseError as exc:
                errors.append(str(exc))
        honors: list[tuple] = []
        if get("honor"):
            text = get("honor")
            if text not in self.parsed_honors:  # memoized per distinct cell, as laomo does
                try:
                    self.parsed_honors[text] = parse_honor(text, self.place_kind)
                except HonorParseError as exc:
                    self.parsed_honors[text] = str(exc)
            parsed = self.parsed_honors[text]
            if isinstance(parsed, str):
                errors.append(parsed)
            else:
                for h in parsed:
                    honor_year = h.year or year
                    if all(existing[2:4] != (h.title, honor_year) for existing in honors):
                        honors.append((h.level, h.kind, h.title, honor_year, award_date if not h.year else None))
        status = ""
        if get("employment_status"):
            text = get("employment_status")
            status = next((s for words, s in STATUS_WORDS if any(w in text for w in words)), "")
            if not status:
                errors.append(f"无法识别的在职状态“{text}”")
            elif status == EmploymentStatus.DECEASED:
                errors.append("在职状态为去世的劳模请在系统中登记去世日期,不能通过导入标记")
        if errors:
            raise ValidationError({"__all__": errors})
        key = id_index(number) if number else None
        pinyin, initials = name_pinyin(name)
        row.update({
            "_name": name, "_name_pinyin": pinyin, "_name_initials": initials, "_sex": sex, "_birth_date": birth,
            "_id_number": number, KEY: key, "_id_number_masked": mask_id_number(number), "_phone": phone,
            "_phone_index": phone_index(phone), "_phone_masked": mask_phone(phone), "_org_id": org.pk,
            "_employment_status": status or EmploymentStatus.ACTIVE,
            "_highest_level_rank": max((LEVEL_RANK[h[0]] for h in honors), default=0),
            **{f"_{k}": get(k) for k in ("ethnicity", "employer", "job_title", "address", "political_status",
                                          "education")},
        })
        if key:
            self.honors.setdefault(key, []).extend(honors)

    def after_init_instance(self, instance, new, row, **kwargs):
        if new:
            if not self.numbers:
                self.numbers = allocate_worker_numbers(1000)[::-1]
            instance.worker_no = self.numbers.pop()

    # --- honors, once the workers exist --------------------------------------------------------------

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run") or result.has_errors():
            return
        keys = list(self.honors)
        pk_by_key: dict[str, int] = {}
        existing: set[tuple] = set()
        for start in range(0, len(keys), 900):
            chunk = dict(Worker.objects.filter(id_number_index__in=keys[start:start + 900])
                         .values_list("id_number_index", "pk"))
            pk_by_key.update(chunk)
            existing.update(Honor.objects.filter(worker_id__in=list(chunk.values()), is_deleted=False)
                            .values_list("worker_id", "title", "year"))
        new_honors = []
        for key, honors in self.honors.items():
            worker_id = pk_by_key[key]
            for level, kind, title, year, award_date in honors:
                if (worker_id, title, year) not in existing:
                    existing.add((worker_id, title, year))
                    new_honors.append(Honor(worker_id=worker_id, level=level, kind=kind, title=title, year=year,
                                            award_date=award_date))
        Honor.objects.bulk_create(new_honors, batch_size=1000)


def import_roster_with_import_export(dataset, *, org: OrgUnit):
    resource = WorkerResource(org=org)
    return resource.import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)

