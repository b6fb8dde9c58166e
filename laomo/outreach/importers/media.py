"""The 传播 ledger importer: media items with their dated view readings.

A ledger often has one row per item per reading date (the same title on every row, the views as of each date);
the rows of one item (same unit, platform and title) are folded into one item with its readings. A reading is
one per item and date; views are cumulative, so the readings of an item (stored and imported together) never
go down. The summary report counts them exactly as readings entered by hand (`selectors.views_of_year`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Prefetch

from laomo.core import dictionary
from laomo.core.actors import person
from laomo.core.importing import Column, Importer, ImportResult, Plan, Row, register

from ..models import PLATFORM_KIND, MediaItem, MediaKind, MediaReading
from ..services.common import WHAT
from .common import UNIT

KIND_WORDS = [(("直播", "回放"), MediaKind.LIVE), (("视频", "短视频", "微视频", "影像"), MediaKind.VIDEO),
              (("图文", "文章", "推文", "新闻", "稿件", "报道", "文字"), MediaKind.ARTICLE),
              (("音频", "广播", "电台", "播客"), MediaKind.AUDIO)]
MERGED = "与前面的行是同一条记录,已合并"  # the framework's warning for a folded row (not news for a reading row)
MAX_VIEWS = 10**12


@dataclass
class MediaRow:
    org_id: int
    platform: object  # a DictItem of the platform list
    title: str
    kind: str | None  # None: blank cell (a new item takes 视频, a stored one keeps its own)
    url: str
    publish_date: date | None
    note: str
    readings: dict = field(default_factory=dict)  # date -> (views, sheet row number)
    rows: list = field(default_factory=list)  # sheet row numbers of the item


@register
class MediaImporter(Importer):
    kind = "media"
    label = "传播作品台账"
    module_label = "宣传宣讲"
    record_label = "件传播作品"
    what = WHAT
    audit_action = "outreach.media.import"
    order = 30
    key_help = ("同一单位、同一平台、同一标题视为同一件作品;同一作品同一统计日期的观看人次视为同一条读数"
                "(一件作品可有多行,每行一个统计日期)")
    count_labels = {"readings": "观看量读数", "readings_updated": "更正读数"}
    columns = (
        Column("title", "标题", ("作品标题", "作品名称", "视频标题", "文章标题", "名称", "题目", "作品"), required=True,
               example="劳动教育开学第一课"),
        Column("platform", "平台", ("发布平台", "传播平台", "播出平台", "刊播平台", "渠道", "媒体平台"), required=True,
               example="之江教育汇", help="按数据字典“传播平台”中的名称填写"),
        Column("kind", "类型", ("作品类型", "体裁", "作品形式"), example="视频",
               help="视频、图文、直播回放、音频,不填为视频"),
        Column("url", "链接", ("网址", "作品链接", "链接地址", "URL", "网页链接"), example="https://example.com/v/1"),
        Column("publish_date", "发布日期", ("发布时间", "上线时间", "上线日期", "播出日期", "刊发日期"),
               example="2022-09-01", help="新作品必填"),
        UNIT,
        Column("reading_date", "统计日期", ("读数日期", "截至日期", "统计时间", "数据日期", "截止日期", "统计截至"),
               example="2022-12-31"),
        Column("views", "累计观看人次", ("观看人次", "观看量", "播放量", "阅读量", "累计播放量", "累计观看量",
                                   "浏览量", "阅读数", "播放次数", "累计阅读量"),
               example="12000", help="截至统计日期的累计数,可写“1.2万”"),
        Column("note", "备注", ("说明",), example=""),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._platforms: dict[str, object] | None = None
        self._merged: set[int] = set()

    @property
    def platforms(self) -> dict:
        if self._platforms is None:
            self._platforms = {p.label: p for p in dictionary.items(PLATFORM_KIND, active_only=False)}
        return self._platforms

    # one row -------------------------------------------------------------------------------------------
    def parse(self, row: Row) -> MediaRow | None:
        title = row.text("title", required=True, max_length=200)
        row.name = title[:20]
        platform = self._platform(row)
        url = row.text("url", max_length=500)
        if url and not _valid_url(url):
            row.error(f"链接“{url[:40]}”无效(应以 http:// 或 https:// 开头)")
        publish = row.date("publish_date")
        unit = row.unit("unit")
        reading = self._reading(row, publish)
        kind = row.choice("kind", KIND_WORDS)
        if row.errors:
            return None
        item = MediaRow(org_id=unit.pk, platform=platform, title=title, kind=kind, url=url, publish_date=publish,
                        note=row.text("note"), rows=[row.number])
        if reading:
            item.readings[reading[0]] = (reading[1], row.number)
        return item

    def _platform(self, row: Row):
        text = row.text("platform", required=True)
        if not text:
            return None
        platform = self.platforms.get(text)
        if platform is None:
            names = "、".join(label for label, p in self.platforms.items() if p.is_active)
            row.error(f"平台“{text}”不在数据字典的“传播平台”中(现有:{names});"
                      "新平台请先在“数据字典”页面的“传播平台”中添加")
        return platform

    def _reading(self, row: Row, publish: date | None) -> tuple[date, int] | None:
        day = row.date("reading_date")
        views = _views(row)
        if day is None and views is None:
            return None  # no reading on this row (or a bad cell, which has its error)
        if day is None and not row.present("reading_date"):
            row.error("填写了累计观看人次,但统计日期为空")
        if views is None and not row.present("views"):
            row.error("填写了统计日期,但累计观看人次为空")
        if day is not None and publish is not None and day < publish:
            row.error(f"统计日期 {day:%Y-%m-%d} 早于发布日期({publish:%Y-%m-%d})")
        if day is None or views is None:
            return None
        return day, views

    def key(self, item: MediaRow) -> tuple:
        return (item.org_id, item.platform.pk, item.title)

    def merge(self, first: MediaRow, item: MediaRow, row: Row) -> bool:
        """Another row of the same item: its reading (and any detail the first rows left blank) joins it."""
        for name, label in (("kind", "类型"), ("url", "链接"), ("publish_date", "发布日期")):
            mine, theirs = getattr(first, name), getattr(item, name)
            if mine and theirs and mine != theirs:
                row.error(f"{label}与第{first.rows[0]}行(同一作品)不一致")
                return False
        for day, (views, _) in item.readings.items():
            if day in first.readings and first.readings[day][0] != views:
                row.error(f"同一作品 {day:%Y-%m-%d} 的观看人次与第{first.readings[day][1]}行不一致")
                return False
        for name in ("kind", "url", "publish_date", "note"):
            setattr(first, name, getattr(first, name) or getattr(item, name))
        for day, reading in item.readings.items():
            first.readings.setdefault(day, reading)
        first.rows.append(row.number)
        self._merged.add(row.number)
        return True

    # against the database ------------------------------------------------------------------------------
    def existing(self, keys):
        found = {}
        items = (MediaItem.objects.filter(is_deleted=False, title__in={k[2] for k in keys},
                                          org_id__in={k[0] for k in keys}).order_by("id")
                 .prefetch_related(Prefetch("readings", to_attr="live_readings",
                                            queryset=MediaReading.objects.filter(is_deleted=False).order_by("date"))))
        for media in items:
            found.setdefault((media.org_id, media.platform_id, media.title), media)
        return {k: found[k] for k in keys if k in found}

    def conflicts(self, batch) -> dict[int, str]:
        refused: dict[int, str] = {}
        for _, item, record in batch:
            problems = _item_problems(item, record)
            if problems:
                refused.update(problems)
                for number in item.rows:
                    refused.setdefault(number, f"同一作品第{min(problems)}行有错误,本作品未导入")
        return refused

    def _plan(self, items, result: ImportResult) -> Plan:
        plan = super()._plan(items, result)
        for number in self._merged:  # a reading row folded into its item is expected, not a warning
            kept = [w for w in result.warnings_by_row.get(number, []) if w[0] != MERGED]
            if kept:
                result.warnings_by_row[number] = kept
            else:
                result.warnings_by_row.pop(number, None)
        result.warnings = sum(len(v) for v in result.warnings_by_row.values())
        return plan

    def changes(self, item: MediaRow, record: MediaItem) -> dict:
        out = {f: getattr(item, f) for f in ("kind", "url", "publish_date", "note")
               if getattr(item, f) and getattr(item, f) != getattr(record, f)}
        stored = {r.date: r for r in record.live_readings}
        new = {d: v for d, (v, _) in item.readings.items() if d not in stored}
        corrected = {stored[d]: v for d, (v, _) in item.readings.items() if d in stored and stored[d].views != v}
        if new or corrected:
            out["readings"] = (new, corrected)
        return out

    def write(self, plan: Plan) -> None:
        created = MediaItem.objects.bulk_create([
            MediaItem(org_id=i.org_id, platform=i.platform, title=i.title, kind=i.kind or MediaKind.VIDEO, url=i.url,
                      publish_date=i.publish_date, note=i.note) for i in plan.creates], batch_size=2000)
        recorder = person(self.actor)
        readings = [MediaReading(media_item=media, date=d, views=v, recorded_by=recorder)
                    for media, item in zip(created, plan.creates, strict=True) for d, (v, _) in item.readings.items()]
        corrected, records, fields = [], [], {"updated_at"}
        for _, record, changes in plan.updates:
            new, fixed = changes.pop("readings", ({}, {}))
            readings += [MediaReading(media_item=record, date=d, views=v, recorded_by=recorder) for d, v in new.items()]
            for reading, views in fixed.items():
                reading.views = views
                corrected.append(reading)
            if changes:
                for name, value in changes.items():
                    setattr(record, name, value)
                fields.update(changes)
                records.append(record)
        MediaReading.objects.bulk_create(readings, batch_size=2000)
        MediaReading.objects.bulk_update(corrected, ["views"], batch_size=1000)
        MediaItem.objects.bulk_update(records, sorted(fields), batch_size=1000)
        self.counts["readings"] = len(readings)
        self.counts["readings_updated"] = len(corrected)

    def dry_counts(self, plan: Plan) -> dict:
        new = sum(len(i.readings) for i in plan.creates)
        fixed = 0
        for _, _, changes in plan.updates:
            added, corrected = changes.get("readings", ({}, {}))
            new, fixed = new + len(added), fixed + len(corrected)
        return {"readings": new, "readings_updated": fixed}


def _valid_url(url: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return False
    return True


def _views(row: Row) -> int | None:
    """Cumulative views as clerks write them: 12000, 12,000, 1.2万, 3500人次."""
    text = re.sub(r"(人次|次|人)$", "", row.text("views").replace(",", "").replace(",", ""))
    if not text:
        return None
    scale = 10_000 if text.endswith("万") else 1
    try:
        number = Decimal(text.removesuffix("万")) * scale
    except InvalidOperation:
        number = None
    if number is None or number != number.to_integral_value() or not 0 <= number <= MAX_VIEWS:
        row.error(f"{row.label('views')}“{row.text('views')}”应为不小于0的整数(可写“1.2万”)")
        return None
    return int(number)


def _item_problems(item: MediaRow, record: MediaItem | None) -> dict[int, str]:
    """Why the item's rows cannot be written, by sheet row: a new item without a publish date or on a retired
    platform, a reading before the publish date, readings that go down."""
    first = item.rows[0]
    if record is None and item.publish_date is None:
        return {first: "新作品的发布日期为空"}
    if record is None and not item.platform.is_active:
        return {first: f"平台“{item.platform.label}”已停用"}
    publish = item.publish_date or record.publish_date
    stored = {r.date: (r.views, None) for r in (record.live_readings if record else [])}
    readings = sorted({**stored, **item.readings}.items())
    if readings and readings[0][0] < publish:
        day, (_, number) = readings[0]
        return {number or first: f"发布日期 {publish:%Y-%m-%d} 晚于 {day:%Y-%m-%d} 的观看量读数"}
    for (before, (low, row_before)), (day, (views, number)) in zip(readings, readings[1:], strict=False):
        if views < low:
            message = f"观看人次是累计数:{day:%Y-%m-%d} 的 {views:,} 少于 {before:%Y-%m-%d} 的 {low:,}"
            return {number or row_before or first: message}
    return {}
