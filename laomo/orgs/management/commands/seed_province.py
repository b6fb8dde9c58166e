"""seed_province: the org tree of a province federation (浙江省总工会, its 11 cities and 90 counties).

Idempotent: every unit is matched on its code (GB/T 2260 administrative division codes, 33xxxx) and
created or brought up to date; running it twice changes nothing the second time. An existing city
deployment's root (丽水市总工会, 331100, seeded by the migrations) is moved under the province with its
whole subtree and keeps its records and its users; its city staff, who saw "everything" by their role,
get the city's subtree as their data scope, so they see what they saw before and nothing of the other
cities. Units the table does not name (towns,
enterprises, industry unions added by the deployment) are left alone.

Each city gets its 市本级(市直) unit (code xx01, as 丽水's 331101), so that records of the city's own
departments sit below the city and beside its counties. Division codes as of 2021 (杭州's 2021
adjustment: 下城 and 江干 merged away, 临平 and 钱塘 created; 龙港市 2019; 玉环市 2017).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from laomo.core import audit
from laomo.core.actors import SYSTEM
from laomo.orgs import services
from laomo.orgs.models import OrgKind, OrgUnit, User
from laomo.orgs.roles import DataScope

# No "province" kind yet: the root is a city-kind unit until OrgKind gains one (then it is used).
PROVINCE_KIND = OrgKind.PROVINCE
PROVINCE = ("330000", "浙江省总工会", "浙江省")

# city code, city short name, [(county code, county short name), ...]
CITIES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("330100", "杭州市", [
        ("330102", "上城区"), ("330105", "拱墅区"), ("330106", "西湖区"), ("330108", "滨江区"), ("330109", "萧山区"),
        ("330110", "余杭区"), ("330111", "富阳区"), ("330112", "临安区"), ("330113", "临平区"), ("330114", "钱塘区"),
        ("330122", "桐庐县"), ("330127", "淳安县"), ("330182", "建德市")]),
    ("330200", "宁波市", [
        ("330203", "海曙区"), ("330205", "江北区"), ("330206", "北仑区"), ("330211", "镇海区"), ("330212", "鄞州区"),
        ("330213", "奉化区"), ("330225", "象山县"), ("330226", "宁海县"), ("330281", "余姚市"), ("330282", "慈溪市")]),
    ("330300", "温州市", [
        ("330302", "鹿城区"), ("330303", "龙湾区"), ("330304", "瓯海区"), ("330305", "洞头区"), ("330324", "永嘉县"),
        ("330326", "平阳县"), ("330327", "苍南县"), ("330328", "文成县"), ("330329", "泰顺县"), ("330381", "瑞安市"),
        ("330382", "乐清市"), ("330383", "龙港市")]),
    ("330400", "嘉兴市", [
        ("330402", "南湖区"), ("330411", "秀洲区"), ("330421", "嘉善县"), ("330424", "海盐县"), ("330481", "海宁市"),
        ("330482", "平湖市"), ("330483", "桐乡市")]),
    ("330500", "湖州市", [
        ("330502", "吴兴区"), ("330503", "南浔区"), ("330521", "德清县"), ("330522", "长兴县"), ("330523", "安吉县")]),
    ("330600", "绍兴市", [
        ("330602", "越城区"), ("330603", "柯桥区"), ("330604", "上虞区"), ("330624", "新昌县"), ("330681", "诸暨市"),
        ("330683", "嵊州市")]),
    ("330700", "金华市", [
        ("330702", "婺城区"), ("330703", "金东区"), ("330723", "武义县"), ("330726", "浦江县"), ("330727", "磐安县"),
        ("330781", "兰溪市"), ("330782", "义乌市"), ("330783", "东阳市"), ("330784", "永康市")]),
    ("330800", "衢州市", [
        ("330802", "柯城区"), ("330803", "衢江区"), ("330822", "常山县"), ("330824", "开化县"), ("330825", "龙游县"),
        ("330881", "江山市")]),
    ("330900", "舟山市", [
        ("330902", "定海区"), ("330903", "普陀区"), ("330921", "岱山县"), ("330922", "嵊泗县")]),
    ("331000", "台州市", [
        ("331002", "椒江区"), ("331003", "黄岩区"), ("331004", "路桥区"), ("331022", "三门县"), ("331023", "天台县"),
        ("331024", "仙居县"), ("331081", "温岭市"), ("331082", "临海市"), ("331083", "玉环市")]),
    ("331100", "丽水市", [
        ("331102", "莲都区"), ("331121", "青田县"), ("331122", "缙云县"), ("331123", "遂昌县"), ("331124", "松阳县"),
        ("331125", "云和县"), ("331126", "庆元县"), ("331127", "景宁畲族自治县"), ("331181", "龙泉市")]),
]


def province_units() -> list[dict]:
    """Every unit of the table, parents before children: code, name, short_name, kind, parent code, order."""
    code, name, short = PROVINCE
    units = [dict(code=code, name=name, short_name=short, kind=PROVINCE_KIND, parent=None, sort_order=0)]
    for i, (city_code, city, counties) in enumerate(CITIES):
        units.append(dict(code=city_code, name=f"{city}总工会", short_name=city, kind=OrgKind.CITY, parent=code,
                          sort_order=i))
        units.append(dict(code=f"{city_code[:4]}01", name="市本级(市直)", short_name="市本级",
                          kind=OrgKind.CITY_DIRECT, parent=city_code, sort_order=0))
        for j, (county_code, county) in enumerate(counties, start=1):
            units.append(dict(code=county_code, name=f"{county}总工会", short_name=county, kind=OrgKind.COUNTY,
                              parent=city_code, sort_order=j))
    return units


def _move_root_under(org: OrgUnit, parent: OrgUnit) -> None:
    """A root (a city deployment's 丽水市) goes under the province with its subtree (org_update keeps roots
    roots, on purpose: only this command joins a city tree to a province)."""
    old_path, old_depth = org.path, org.depth
    old_subtree = org.subtree_q("")  # the units below it, by the path they have before the move
    org.parent = parent
    org.path = f"{parent.path}{org.pk:07d}/"
    org.depth = parent.depth + 1
    org.save(update_fields=["parent", "path", "depth"])
    OrgUnit.objects.filter(old_subtree).exclude(pk=org.pk).update(
        path=Concat(Value(org.path), Substr(F("path"), len(old_path) + 1)),
        depth=F("depth") + (org.depth - old_depth),
    )
    audit.record(actor=SYSTEM, action="orgs.org.update", obj=org, org=org,
                 changes={"parent": ["", str(parent)]}, username="seed_province")
    # City staff see "everything" by their role: in the city's own deployment that was the city. Under the
    # province, give them the city's subtree explicitly, so that they see what they saw and nothing more.
    for user in User.objects.filter(org.subtree_q(), data_scope="").select_related("org"):
        if user.scope_level == DataScope.ALL:
            services.user_update(actor=SYSTEM, user=user, full_name=user.full_name, org=user.org,
                                 roles=sorted(user.role_codes), data_scope=DataScope.SUBTREE, email=user.email)


@transaction.atomic
def seed_province() -> dict[str, int]:
    """Create or update every unit of the table; returns counts of created, updated, unchanged units."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    by_code = {o.code: o for o in OrgUnit.objects.filter(code__in=[u["code"] for u in province_units()])}
    for unit in province_units():
        parent = by_code[unit["parent"]] if unit["parent"] else None
        fields = {k: unit[k] for k in ("name", "short_name", "kind", "sort_order")}
        org = by_code.get(unit["code"])
        if org is None:
            by_code[unit["code"]] = services.org_create(actor=SYSTEM, code=unit["code"], parent=parent, **fields)
            counts["created"] += 1
            continue
        moved = parent is not None and org.parent_id is None
        if moved:
            _move_root_under(org, parent)
            org.refresh_from_db()
        changed = {k: v for k, v in fields.items() if getattr(org, k) != v}
        if parent is not None and org.parent_id != parent.pk:
            changed["parent"] = parent
        if changed:
            by_code[unit["code"]] = services.org_update(actor=SYSTEM, org=org, **changed)
        counts["updated" if changed or moved else "unchanged"] += 1
    return counts


class Command(BaseCommand):
    help = "建立或更新全省组织树:浙江省总工会、11个市总工会(含市本级)及90个县(市、区)总工会,按组织代码幂等。"

    def handle(self, *args, **options):
        try:
            counts = seed_province()
        except ValidationError as exc:
            raise CommandError(";".join(exc.messages)) from exc
        total = OrgUnit.objects.filter(code__in=[u["code"] for u in province_units()]).count()
        self.stdout.write(f"全省组织树:新建 {counts['created']} 个,更新 {counts['updated']} 个,"
                          f"未变 {counts['unchanged']} 个,共 {total} 个单位。")
