"""The 工作室成果 ledger importer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from laomo.core import dictionary
from laomo.core.importing import Column, Importer, Plan, Row, register

from ..models import (
    ACHIEVEMENT_KIND,
    PATENT,
    Studio,
    StudioAchievement,
)
from ..services.common import WHAT
from .common import (
    KIND_WORDS,
    UNIT,
    StudioIndex,
    apply_updates,
)

# --- 成果 -------------------------------------------------------------------------------------------------


@dataclass
class AchievementRow:
    studio: Studio
    kind: str
    title: str
    achieved_date: date
    patent_no: str
    recognized: bool | None
    recognized_by: str
    benefit: Decimal | None


@register
class AchievementImporter(Importer):
    kind = "studio_achievements"
    label = "工作室成果台账"
    module_label = "创新工作室"
    record_label = "项成果"
    what = WHAT
    audit_action = "studios.achievement.import"
    order = 61
    key_help = ("同一工作室、同一成果名称、同一取得日期为同一项成果;"
                "再次导入时更新类别、专利号、认定单位和经济效益(空白不清除)。")
    columns = (
        Column("studio", "工作室名称", ("工作室", "所属工作室", "创新工作室", "创新工作室名称"), required=True,
               example="张三劳模创新工作室"),
        UNIT,
        Column("kind", "成果类别", ("成果类型", "类别", "类型", "成果类别(类型)"), required=True, example="技术革新",
               help="数据字典“成果类型”中的名称,如专利、技术革新、QC成果、工法、标准、获奖、论文"),
        Column("title", "成果名称", ("成果", "名称", "项目名称", "成果题目", "成果内容"), required=True,
               example="数控机床夹具改进"),
        Column("date", "取得日期", ("日期", "取得时间", "授权日期", "授权时间", "获得时间", "完成时间", "发布时间",
                                   "时间"), required=True, example="2023-06-30"),
        Column("patent_no", "专利号", ("专利号码", "授权号", "专利授权号"), text=True, example="",
               help="专利成果必填"),
        Column("recognized_by", "认定单位", ("授权单位", "认定/授权单位", "颁发单位", "发证单位", "发布单位")),
        Column("recognized", "是否认定", ("已获认定", "是否获认定"), example="是"),
        Column("benefit", "经济效益(元)", ("经济效益", "创造经济效益", "创效(元)", "效益(元)", "经济效益元"),
               example="125000.50"),
        Column("benefit_wan", "经济效益(万元)", ("创效(万元)", "效益(万元)", "经济效益万元")),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._studios: StudioIndex | None = None
        self._kinds = [(i.code, i.label) for i in dictionary.items(ACHIEVEMENT_KIND).order_by("sort_order", "id")]

    def parse(self, row: Row) -> AchievementRow | None:
        if self._studios is None:
            self._studios = StudioIndex(self)
        studio = self._studios.resolve(row, "studio") if row.text("studio", required=True) else None
        row.name = row.text("studio")
        kind = self._kind(row)
        title = row.text("title", required=True, max_length=200)
        day = row.date("date", required=True)
        patent_no = row.text("patent_no").replace(" ", "").upper() if kind == PATENT else ""
        if kind == PATENT and not patent_no:
            row.error("专利成果须填写专利号(如 ZL202110123456.7)")
        if len(patent_no) > 40:
            row.error("专利号超过40个字")
        benefit = self._benefit(row)
        if studio is not None and day is not None:
            if day < studio.founded_date:
                row.error(f"取得日期不能早于工作室创建日期 {studio.founded_date:%Y-%m-%d}")
            if studio.revoked_date and day > studio.revoked_date:
                row.error(f"工作室已于 {studio.revoked_date:%Y-%m-%d} 撤销,之后的成果不能记入")
        recognized = row.choice("recognized", [(("否", "未", "无"), False), (("是", "已", "有", "√"), True)])
        if row.errors:
            return None
        return AchievementRow(studio=studio, kind=kind, title=title, achieved_date=day, patent_no=patent_no,
                              recognized=recognized, recognized_by=row.text("recognized_by", max_length=100),
                              benefit=benefit)

    def _kind(self, row: Row) -> str | None:
        text = row.text("kind", required=True)
        if not text:
            return None
        for code, label in self._kinds:
            if text in (code, label):
                return code
        codes = {code for code, _ in self._kinds}
        for code, words in KIND_WORDS:
            if code in codes and any(w in text for w in words):
                return code
        for code, label in self._kinds:
            if label in text:
                return code
        row.error(f"无法识别的成果类别“{text}”(可填:{'、'.join(label for _, label in self._kinds)})")
        return None

    def _benefit(self, row: Row) -> Decimal | None:
        benefit = row.money("benefit")
        if row.present("benefit_wan"):
            wan = row.decimal("benefit_wan", places=6, maximum=Decimal(10**6))
            if wan is not None:
                yuan = wan * 10000
                if yuan != yuan.quantize(Decimal("0.01")):
                    row.error(f"{row.label('benefit_wan')}“{row.text('benefit_wan')}”折合元超过两位小数")
                elif benefit is not None and benefit != yuan:
                    row.error("经济效益(元)与经济效益(万元)不一致")
                else:
                    benefit = yuan.quantize(Decimal("0.01"))
        return benefit

    def key(self, item: AchievementRow) -> tuple:
        return (item.studio.pk, item.title, item.achieved_date)

    def existing(self, keys):
        found = {}
        for a in StudioAchievement.objects.filter(studio_id__in={k[0] for k in keys}, is_deleted=False,
                                                  achieved_date__in={k[2] for k in keys}):
            found.setdefault((a.studio_id, a.title, a.achieved_date), a)
        return {k: found[k] for k in keys if k in found}

    def changes(self, item: AchievementRow, record: StudioAchievement) -> dict:
        changes = {}
        if item.kind != record.kind and (item.kind != PATENT or item.patent_no):
            changes["kind"] = item.kind
            if record.kind == PATENT:
                changes["patent_no"] = item.patent_no
        if item.patent_no and item.patent_no != record.patent_no:
            changes["patent_no"] = item.patent_no
        if item.recognized_by and item.recognized_by != record.recognized_by:
            changes["recognized_by"] = item.recognized_by
        if item.recognized is not None and item.recognized != record.is_recognized:
            changes["is_recognized"] = item.recognized
        if item.benefit is not None and item.benefit != record.economic_benefit:
            changes["economic_benefit"] = item.benefit
        return changes

    def write(self, plan: Plan) -> None:
        StudioAchievement.objects.bulk_create([
            StudioAchievement(studio=i.studio, kind=i.kind, title=i.title, achieved_date=i.achieved_date,
                              patent_no=i.patent_no, is_recognized=True if i.recognized is None else i.recognized,
                              recognized_by=i.recognized_by, economic_benefit=i.benefit)
            for i in plan.creates], batch_size=2000)
        fields = {"kind", "patent_no", "recognized_by", "is_recognized", "economic_benefit"}
        records: list[StudioAchievement] = []
        apply_updates(records, plan, fields)
        StudioAchievement.objects.bulk_update(records, [*sorted(fields), "updated_at"], batch_size=2000)
