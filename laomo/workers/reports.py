"""The `workers` section of the summary report and the registry's dashboard cards."""


from django.db.models import Count, Q
from django.urls import reverse

from laomo.care.reports import in_hardship
from laomo.core.byunit import ByUnit
from laomo.core.dashboard import register_cards
from laomo.core.scope import scope_root
from laomo.orgs.models import OrgUnit
from laomo.reports.drill import Column, Drill, register_drill, register_note
from laomo.reports.registry import register_section

from .gate import review_applies
from .models import LEVEL_RANK, RANK_LEVEL, Honor, HonorLevel, SubmissionStatus, Worker
from .selectors import registry_as_of, registry_honors, submission_list, worker_base


@register_section("workers", order=10)
def workers_section(*, year: int, org, units=None) -> dict:
    by = ByUnit(org, units)
    # Counted by the rank as of the year on one honor per person (`registry_honors`): no subquery per worker.
    ranks = by.tally(_registry_honors(year, org), "rank", field="worker__org")
    hardship = by.count(in_hardship(workers=_registry(year, org), year=year))
    return by.each(lambda k: {
        "total": sum(ranks[k].values()),
        "by_level": {level: ranks[k].get(LEVEL_RANK[level], 0)
                     for level in ("national", "provincial", "municipal", "county")},
        "in_hardship": hardship[k],
    })


@register_cards(order=10)
def worker_cards(*, user, year: int, org) -> list[dict]:
    if not user.has_perm("core.view_business"):
        return []
    qs = worker_base(user).filter(org.subtree_q())
    figures = qs.aggregate(
        total=Count("id"),
        high=Count("id", filter=Q(highest_level_rank__gte=LEVEL_RANK["provincial"])),
        incomplete=Count("id", filter=Q(is_incomplete=True)),
    )
    honors = Honor.objects.filter(is_deleted=False, year=year, worker__in=qs).count()
    url = reverse("workers:list")
    return [
        {"label": "劳模总数", "value": figures["total"], "url": url},
        {"label": "省部级及以上劳模", "value": figures["high"], "url": f"{url}?min_level=provincial"},
        {"label": f"{year}年获评荣誉", "value": honors, "url": f"{url}?year_from={year}&year_to={year}"},
        {"label": "待补全身份证号", "value": figures["incomplete"], "url": f"{url}?incomplete=1"},
        *_submission_cards(user),
    ]


def _submission_cards(user) -> list[dict]:
    """报送→审核: what waits for the reviewer, or what came back to the county (only where review is on)."""
    url = reverse("workers:submissions")
    if user.has_perm("core.review_registry"):
        if not OrgUnit.objects.filter(registry_review=True).exists():
            return []
        pending = submission_list(user=user, status=SubmissionStatus.PENDING).count()
        return [{"label": "待审核报送", "value": pending, "url": f"{url}?status=pending"}]
    if user.has_perm("core.edit_business") and review_applies(scope_root(user)):
        returned = submission_list(user=user, status=SubmissionStatus.RETURNED).count()
        return [{"label": "被退回的报送", "value": returned, "url": f"{url}?status=returned"}]
    return []


# --- the records behind the figures (reports workspace) ---------------------------------------------------

WORKERS_NOTE = ("劳模总数按当年12月31日的在册情况统计:截至当年已获评的荣誉(按获评年份,无年份按表彰日期),"
                "级别取截至当年的最高荣誉,当年12月31日前去世的不计;自首次获评荣誉之年起计入,与录入时间无关。")
register_note("workers", WORKERS_NOTE)


def _worker_columns() -> list[Column]:
    return [Column("姓名", lambda w: w.name), Column("劳模编号", lambda w: w.worker_no),
            Column("单位", lambda w: w.org.name),
            Column("截至当年最高级别", lambda w: HonorLevel(RANK_LEVEL[w.rank_asof]).label if w.rank_asof else "—")]


def _registry(year: int, org):
    return registry_as_of(Worker.objects.filter(org.subtree_q(), is_deleted=False), year)


def _registry_honors(year: int, org):
    """`_registry`'s people, one honor each with its `rank` (= their `rank_asof`)."""
    return registry_honors(year, Q(worker__is_deleted=False) & org.subtree_q("worker__org"))


@register_drill("workers.total")
def drill_total(*, year: int, org) -> Drill:
    return Drill(qs=_registry(year, org).select_related("org"), columns=_worker_columns(), note=WORKERS_NOTE,
                 link=lambda w: reverse("workers:detail", args=[w.pk]), measure="人数")


@register_drill("workers.by_level.*")
def drill_by_level(*, year: int, org, key: str) -> Drill:
    at_level = _registry_honors(year, org).filter(rank=LEVEL_RANK[key])
    return Drill(qs=_registry(year, org).filter(pk__in=at_level.values("worker_id")).select_related("org"),
                 columns=_worker_columns(), note=WORKERS_NOTE,
                 link=lambda w: reverse("workers:detail", args=[w.pk]), measure="人数")
