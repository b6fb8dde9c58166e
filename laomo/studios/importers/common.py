"""What the studio importers share: the words clerks write, the studios by name, small write helpers."""

from __future__ import annotations

from django.utils import timezone

from laomo.core.importing import Column, Importer, Plan, Row
from laomo.workers.models import EmploymentStatus, Worker

from ..models import (
    MentorshipForm,
    Studio,
    StudioLevel,
    StudioStatus,
    StudioType,
)

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


def job_titles(workers) -> dict[int, str]:
    ids = sorted({w.pk for w in workers})
    titles: dict[int, str] = {}
    for start in range(0, len(ids), 900):
        titles.update(Worker.objects.filter(pk__in=ids[start:start + 900]).values_list("pk", "job_title"))
    return titles


def deceased(row: Row, worker: Worker | None, role: str) -> None:
    if worker is not None and worker.employment_status == EmploymentStatus.DECEASED:
        row.error(f"劳模 {worker.name} 已去世,不能选为{role}")


def apply_updates(records: list, plan: Plan, fields: set[str]) -> None:
    """Copy each update's changes onto its record and bulk-update them (with updated_at)."""
    now = timezone.now()
    for _, record, changes in plan.updates:
        for name, value in changes.items():
            if name in fields:
                setattr(record, name, value)
        record.updated_at = now
        records.append(record)
