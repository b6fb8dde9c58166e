"""Chinese text matching for recommendations: keyword/bigram overlap, no external service.

A description such as “香菇 烂棒怎么处理” is split into CJK runs and their bigrams; a specialty such as
“食用菌栽培、香菇” is split into terms. They match on shared bigrams, and on a shared team type
inferred from keywords (香菇 → 食用菌技术), so “香菇 烂棒” finds the 食用菌 specialist.
"""

from __future__ import annotations

import re

from .models import TeamType

TYPE_KEYWORDS: dict[str, tuple[str, ...]] = {
    TeamType.MEDICAL: ("医疗", "义诊", "血压", "血糖", "体检", "看病", "健康", "医生", "护理", "用药", "慢性病",
                       "结核", "康复", "内科", "中医", "核酸"),
    TeamType.POWER: ("电力", "电路", "电器", "电线", "线路", "停电", "跳闸", "漏电", "插座", "电表", "家电",
                     "供电", "检修"),
    TeamType.FUNGUS: ("食用菌", "香菇", "菇", "菌棒", "烂棒", "木耳", "灵芝", "菌种", "菇农", "制菇", "出菇", "菌"),
    TeamType.AGRICULTURE: ("农技", "种植", "蔬菜", "水稻", "病虫害", "施肥", "兽医", "畜牧", "养殖", "猪", "鸡",
                           "瓜果", "茶叶", "农业", "果树"),
    TeamType.FORESTRY: ("林业", "苗木", "造林", "栽培", "树苗", "毛竹", "竹林", "林下", "防火", "育苗"),
    TeamType.LEGAL: ("法律", "合同", "纠纷", "欠薪", "工资", "维权", "劳动争议", "律师", "赔偿", "工伤"),
    TeamType.COUNSELLING: ("心理", "情绪", "焦虑", "抑郁", "失眠", "疏导", "压力", "婚姻", "亲子"),
    TeamType.TECHNICAL: ("技术", "机械", "设备", "数控", "维修", "焊接", "工艺", "改造"),
}

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_SPLIT = re.compile(r"[、,,;;/\s]+")


def bigrams(text: str) -> set[str]:
    """CJK bigrams of a text (single characters for one-character runs)."""
    out: set[str] = set()
    for run in _CJK_RUN.findall(text or ""):
        if len(run) == 1:
            out.add(run)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return out


def terms(specialties: str) -> list[str]:
    return [t for t in _SPLIT.split(specialties or "") if t]


def infer_types(text: str) -> dict[str, list[str]]:
    """{team_type: [keywords found]} for a text."""
    text = text or ""
    found: dict[str, list[str]] = {}
    for team_type, words in TYPE_KEYWORDS.items():
        hits = [w for w in words if w in text]
        # A one-character keyword counts only when no longer keyword of that type already matched it.
        hits = [w for w in hits if len(w) > 1 or not any(w in h and h != w for h in hits)]
        if hits:
            found[team_type] = hits
    return found


def search_words(text: str, category: str) -> list[str]:
    """Words worth looking for in specialties: the description's bigrams and the category's keywords."""
    words = set(bigrams(text))
    for team_type in {category, *infer_types(text)}:
        words.update(w for w in TYPE_KEYWORDS.get(team_type, ()) if len(w) > 1)
    return sorted(words)[:60]


def specialty_match(description: str, specialties: str, category: str) -> tuple[int, list[str]]:
    """(score, reasons) of a worker's specialties against a request."""
    desc_grams = bigrams(description)
    score = 0
    reasons: list[str] = []
    for term in terms(specialties):
        shared = desc_grams & bigrams(term)
        if shared:
            score += 2 * len(shared)
            reasons.append(f"专长“{term}”与需求描述相符({'、'.join(sorted(shared))})")
    desc_types = infer_types(description)
    spec_types = infer_types(specialties)
    wanted = set(desc_types) | ({category} if category in TYPE_KEYWORDS else set())
    for team_type in sorted(wanted & set(spec_types)):
        score += 3
        label = TeamType(team_type).label
        source = "、".join(desc_types.get(team_type, [])) or "所选类别"
        reasons.append(f"专长({'、'.join(spec_types[team_type])})与需求({source})同属{label}")
    return score, reasons
