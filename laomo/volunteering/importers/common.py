"""What the volunteering importers share: the words clerks write for team types and places, the teams and
non-worker members of the import's unit (loaded once per import), and volunteer cells with their hours."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from laomo.core.importing import AMBIGUOUS, Column, Importer, Row
from laomo.orgs.models import OrgUnit

from ..models import PlaceKind, ServiceTeam, TeamMember, TeamType

MODULE_LABEL = "志愿服务"

UNIT = Column("unit", "所属单位", ("单位", "所属工会", "县(市、区)", "所属地区", "地区", "填报单位", "记录单位"),
              example="莲都区")

# Team types as clerks write them; the first match wins, so 食用菌技术 is not taken for 技术服务.
TEAM_TYPE_WORDS = [
    (("医疗", "卫生", "医生", "医院", "义诊", "健康", "医护"), TeamType.MEDICAL),
    (("电力", "供电", "电工", "电网", "用电"), TeamType.POWER),
    (("食用菌", "香菇", "菌菇", "黑木耳", "菌"), TeamType.FUNGUS),
    (("林业", "林技", "森林", "竹"), TeamType.FORESTRY),
    (("农技", "农业", "种植", "农机", "茶叶", "果蔬", "养殖"), TeamType.AGRICULTURE),
    (("法律", "律师", "普法", "法援", "维权"), TeamType.LEGAL),
    (("心理", "心灵", "情绪"), TeamType.COUNSELLING),
    (("技术", "综合", "技能", "工匠", "维修", "技工"), TeamType.TECHNICAL),
]
TEAM_TYPE_HELP = "医疗卫生、电力、食用菌技术、农技、林业、法律、心理咨询、技术服务(写“义诊”“供电”“香菇”等也可识别)"

# Places; schools first (乡村小学 is a school), then what is narrower than 村/乡.
PLACE_WORDS = [
    (("学校", "中学", "小学", "大学", "学院", "职校", "幼儿园", "校园"), PlaceKind.SCHOOL),
    (("社区", "街道", "小区"), PlaceKind.COMMUNITY),
    (("企业", "公司", "厂", "车间", "集团", "工地", "园区"), PlaceKind.ENTERPRISE),
    (("机关", "政府", "局", "委员会", "党校"), PlaceKind.AGENCY),
    (("农村", "村", "乡", "镇", "农户", "田间", "基地"), PlaceKind.VILLAGE),
    (("其他", "其它"), PlaceKind.OTHER),
]
PLACE_HELP = "农村、社区、企业、学校、机关、其他(空着时按服务地点判断)"

HOURS_MAX = Decimal(24)
CENT = Decimal("0.01")


def place_from(text: str) -> str | None:
    for words, value in PLACE_WORDS:
        if any(w in text for w in words):
            return value
    return None


def place_kind(row: Row, key: str, place: str) -> str:
    """The place kind a column names, else the one its place's name tells, else 其他 (with a note)."""
    kind = row.choice(key, PLACE_WORDS)
    if kind is None and not row.present(key):
        kind = place_from(place)
        if kind is None:
            row.warn("无法从服务地点判断场所类型,按“其他”登记", kind="场所类型按“其他”登记")
            kind = PlaceKind.OTHER
    return kind or PlaceKind.OTHER


class VolunteeringImporter(Importer):
    """An importer with the import's teams at hand (loaded once, on first use)."""

    module_label = MODULE_LABEL

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._teams: Teams | None = None

    @property
    def teams(self) -> Teams:
        if self._teams is None:
            self._teams = Teams(self.org)
        return self._teams

    def unit_or_none(self, row: Row, key: str = "unit") -> OrgUnit | None:
        """The unit a column names (None when blank); an error when unknown or outside the import's unit."""
        return row.unit(key) if row.present(key) else None


class Teams:
    """The service teams in the import's unit, by name; and their members who are not registered workers."""

    def __init__(self, org: OrgUnit):
        self.by_name: dict[str, list[ServiceTeam]] = defaultdict(list)
        teams = (ServiceTeam.objects.filter(OrgUnit.subtree_q(org, "org"), is_deleted=False)
                 .select_related("org").order_by("pk"))
        for team in teams:
            self.by_name[team.name].append(team)
        self.members: dict[tuple[int, str], list[TeamMember]] = defaultdict(list)
        others = TeamMember.objects.filter(team__in=[t for ts in self.by_name.values() for t in ts],
                                           worker__isnull=True, is_active=True).only("pk", "team_id", "name")
        for member in others:
            self.members[(member.team_id, member.name)].append(member)

    def find(self, name: str, unit: OrgUnit | None) -> tuple[ServiceTeam | None, str]:
        """The team of that name; `unit` (the row's unit column, None when blank) tells two of one name apart."""
        teams = self.by_name.get(name, [])
        if not teams:
            return None, f"服务队“{name}”不存在(请先在“志愿服务队”中建队,或导入服务队台账)"
        if unit is not None:
            teams = ([t for t in teams if t.org_id == unit.pk] or [t for t in teams if t.org.is_within(unit)]
                     or [t for t in teams if unit.is_within(t.org)])
            if not teams:
                return None, f"服务队“{name}”不属于{unit.name}"
        if len(teams) > 1:
            where = "、".join(t.org.name for t in teams[:5])
            return None, f"有多支名叫“{name}”的服务队({where}),请填写所属单位区分"
        return teams[0], ""

    def member(self, team: ServiceTeam, name: str) -> TeamMember | None:
        """A non-worker member of the team (or of its parent team) by name; None when none or several."""
        for team_id in (team.pk, team.parent_id):
            found = self.members.get((team_id, name), []) if team_id else []
            if len(found) == 1:
                return found[0]
        return None


_HOURS_IN_NAME = re.compile(r"^(?P<name>[^((::]+)\s*(?:[((]\s*(?P<h>\d+(?:\.\d+)?)\s*(?:小时|h|H)?\s*[))]"
                            r"|[::]\s*(?P<h2>\d+(?:\.\d+)?)\s*(?:小时|h|H)?)$")
_SPLIT = re.compile(r"[、,,;;/\n]+|\s{1,}(?=\S)")


def volunteer_names(text: str) -> list[tuple[str, Decimal | None]]:
    """张三、李四 / 张三(3)、李四(2.5小时) / 张三:3 → [(name, hours or None)], in order, each once."""
    out: list[tuple[str, Decimal | None]] = []
    seen: set[str] = set()
    text = re.sub(r"\s*([((::])\s*", r"\1", text or "")
    text = re.sub(r"\s*(小时|h|H)?\s*([))])", r"\1\2", text)
    for part in _SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        match = _HOURS_IN_NAME.match(part)
        hours = None
        if match:
            name = match["name"].strip()
            hours = Decimal(match["h"] or match["h2"])
        else:
            name = re.sub(r"[((][^))]*[))]", "", part).strip()
        if name and name not in seen:
            seen.add(name)
            out.append((name, hours))
    return out


def split_total(total: Decimal, count: int) -> list[Decimal]:
    """A total of hours shared evenly, to the cent, the remainder on the last person (the sum stays exact)."""
    share = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    return [share] * (count - 1) + [total - share * (count - 1)]


def valid_hours(row: Row, name: str, hours: Decimal) -> Decimal | None:
    if hours != hours.quantize(CENT) or not 0 < hours <= HOURS_MAX:
        row.error(f"{name}的服务时长“{hours}”应大于0、不超过24小时、最多两位小数")
        return None
    return hours.quantize(CENT)


def resolve_volunteer(importer: VolunteeringImporter, row: Row, team: ServiceTeam | None, name: str, unit_text: str):
    """(worker, member) for one name in a volunteer cell: a non-worker member of the team, else a registered
    worker (by name and the volunteer's unit; then the team's unit to tell two of one name apart)."""
    if team is not None:
        member = importer.teams.member(team, name)
        if member is not None:
            return None, member
    worker, problem = importer.matcher.match(name=name, unit_text=unit_text)
    if problem.startswith(AMBIGUOUS) and not unit_text and team is not None:
        narrowed, again = importer.matcher.match(name=name, unit_text=team.org.name)
        if narrowed is not None:
            return narrowed, None
        problem = problem if not again or "未在" in again else again
    if worker is None:
        if not problem.startswith(AMBIGUOUS):
            problem = (f"志愿者“{name}”既不是服务队的登记队员,也未在劳模库中登记"
                       f"(可填身份证号,或先把其加为队员)")
        row.error(problem)
        return None, None
    return worker, None
