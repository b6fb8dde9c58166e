"""Chinese labels for the summary report's keys, for pages and spreadsheets."""

LABELS = {
    "workers": "劳模", "total": "总数", "by_level": "按级别", "in_hardship": "困难劳模",
    "national": "全国级", "provincial": "省部级", "municipal": "市级", "county": "县级",
    "outreach": "宣讲宣传", "lectures": "宣讲场次", "audience": "受众人数", "online_views": "线上观看人次(年内新增)",
    "online_views_cumulative": "线上累计观看人次",
    "pre_shift_sessions": "班前十分钟场次", "lectures_by_venue": "按场所宣讲",
    "agency": "机关", "school": "学校", "hospital": "医院", "enterprise": "企业", "community": "社区",
    "village": "农村", "online": "线上",
    "volunteering": "志愿服务", "teams": "服务队", "service_records": "服务记录", "person_times": "服务人次",
    "volunteer_hours": "志愿服务时长(小时)", "person_times_by_team_type": "按服务队类型服务人次",
    "requests": "群众点单", "received": "受理", "completed": "完成", "average_rating": "平均评分",
    "care": "关爱慰问", "visits": "慰问人次", "workers_visited": "慰问劳模人数", "amount": "慰问金额(元)",
    "amount_by_type": "按类型金额", "hardship_surveyed": "困难调查人数",
    "retreats": "疗休养", "batches": "批次", "participants": "参加人数", "average_satisfaction": "平均满意度",
    "studios": "创新工作室", "mentorships": "传帮带结对", "mentorships_by_form": "按形式结对",
    "one_to_one": "一带一", "one_to_many": "一带多", "many_to_one": "多带一", "many_to_many": "多带多",
    "medical": "医疗卫生", "power": "电力", "fungus": "食用菌技术", "agriculture": "农技", "forestry": "林业",
    "legal": "法律", "counselling": "心理咨询", "technical": "技术服务(综合)",
    "spring_festival": "春节慰问", "hardship": "困难帮扶", "illness": "住院慰问", "elderly": "高龄慰问",
    "bereavement": "吊唁", "other": "其他",
}


def label(key: str) -> str:
    return LABELS.get(key, key)


def flatten_summary(data: dict) -> list[tuple[str, object]]:
    """[(label path, value)] for every figure, skipping year/org."""
    out: list[tuple[str, object]] = []

    def walk(prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(prefix + [label(k)], v)
        else:
            out.append(("/".join(prefix), "" if value is None else value))

    for key, value in data.items():
        if key in ("year", "org"):
            continue
        walk([label(key)], value)
    return out
