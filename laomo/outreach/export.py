"""Spreadsheet exports of the outreach lists (the same filtered, scoped querysets as the pages)."""

from laomo.core.web import xlsx_response


def _chunks(qs, size=1000):
    """Iterate a queryset with its prefetches in chunks (prefetch_related needs a chunk size)."""
    return qs.iterator(chunk_size=size)


def respond(request, *, name: str, headers: list[str], rows, text_columns=(), action: str, object_type: str):
    """The download of one list: written and audited by the one export service (laomo.core.exports)."""
    return xlsx_response(request, filename=name, action=action, what=name, headers=headers, rows=rows,
                         text_columns=text_columns, object_type=object_type)


def lecture_rows(qs):
    for lec in _chunks(qs):
        yield [lec.date, lec.title, lec.get_status_display(), lec.org.name, lec.get_venue_type_display(),
               lec.venue_name, lec.get_format_display(), "、".join(s.display_name for s in lec.speakers.all()),
               lec.audience, lec.campaign.name if lec.campaign_id else "", lec.photo_count or 0, lec.summary]


LECTURE_HEADERS = ["日期", "宣讲题目", "状态", "组织单位", "场所类型", "场所名称", "形式", "主讲人", "受众人数",
                   "所属活动", "照片数", "内容摘要"]


def media_rows(qs):
    for m in _chunks(qs):
        yield [m.publish_date, m.title, m.get_kind_display(), m.platform.label, m.org.name,
               m.campaign.name if m.campaign_id else "", m.lecture.title if m.lecture_id else "",
               m.latest_date or "", m.latest_views if m.latest_views is not None else "", m.pickup_count or 0, m.url]


MEDIA_HEADERS = ["发布日期", "标题", "类型", "平台", "发布单位", "所属活动", "对应宣讲", "最新读数日期",
                 "累计观看人次", "采用/转载次数", "链接"]


def session_rows(qs):
    for s in _chunks(qs):
        yield [s.date, s.get_shift_display(), s.enterprise, s.workshop, s.org.name, s.speaker_display, s.topic,
               s.get_stage_display(), "、".join(s.form_labels), s.participants, s.minutes,
               s.campaign.name if s.campaign_id else "", s.note]


SESSION_HEADERS = ["日期", "时段", "企业", "车间/班组", "所属工会", "主讲人", "主题", "阶段", "形式", "参加人数",
                   "时长(分钟)", "所属活动", "备注"]


def showcase_rows(qs):
    for s in _chunks(qs):
        yield [s.name, s.get_host_type_display(), s.host_place, s.org.name, s.opened_date, s.closed_date or "",
               "、".join(w.name for w in s.featured_workers.all()), s.address, s.photo_count or 0]


SHOWCASE_HEADERS = ["展示区名称", "场所类型", "所在场所", "建设单位", "开放日期", "撤展日期", "展示劳模", "地址",
                    "照片数"]


def campaign_rows(qs):
    for c in _chunks(qs):
        yield [c.name, c.theme, c.org.name, c.start_date, c.end_date, c.lecture_count or 0]


CAMPAIGN_HEADERS = ["活动名称", "主题", "主办单位", "开始日期", "结束日期", "已举办宣讲场次"]


def leaderboard_rows(board):
    for rank, row in enumerate(board, start=1):
        yield [rank, row.name, "劳模" if row.worker_id else "其他", row.org_name, row.lectures, row.audience,
               row.sessions, row.last_date or ""]


LEADERBOARD_HEADERS = ["名次", "主讲人", "类别", "所属单位", "宣讲场次", "受众人数", "班前十分钟场次", "最近宣讲日期"]
