"""Province scale: ten years of a province's records, and what the summary, the dashboard, the reports
workspace and the main lists cost for the province, a city and a county, against their own SQL (issue 16).

    .venv/bin/python bench/scale.py [--size small|medium|province] [--requests 3]
                                    [--database-url postgres://.../laomo_bench] [--no-demo] [--keep|--reuse]

Build (a child process, fresh database): `manage.py seed_province` (浙江省总工会, 11 cities with their
市本级, 90 counties), then bulk inserts — never the per-row services, but rows valid per the models'
constraints (the unique and partial indexes are dropped while loading and built again at the end, which
checks them) — for ten years, 2013–2022:

| table | province | medium (1/5) | small (1/50) |
|---|---|---|---|
| workers (+ ~1.05 honors each) | 200,000 | 40,000 | 4,000 |
| service records (+ one hours row each) | 2,000,000 | 400,000 | 40,000 |
| service requests (completed ones linked to a record) | 50,000 | 10,000 | 1,000 |
| lectures (+ one speaker each) | 200,000 | 40,000 | 4,000 |
| care visits | 500,000 | 100,000 | 10,000 |
| hardship surveys (one round per city and year) | 50,000 | 10,000 | 1,000 |
| studios / mentorships (+ participants) | 3,000 / 10,000 | 600 / 2,000 | 60 / 200 |
| retreat batches / applications (+ surveys) | 330 / ~7,900 | 220 / ~5,300 | 110 / ~2,600 |

Workers are spread over every unit below the province (counties and city levels), records follow their
worker's or team's unit. `--size province` is meant for PostgreSQL (BENCH_DATABASE_URL); `small` fits in a
few minutes on SQLite.

`--keep` keeps the built database (SQLite: `<LAOMO_BENCH_DIR>/scale-<size>.sqlite3`; PostgreSQL: the
database of `--database-url`, which a run never drops) and its facts beside it; `--reuse` then measures that
database again without building it (migrations applied first), e.g. before and after a change. On
PostgreSQL the county's demo baseline is copied into `<name>_county` (dropped after), never into the bench
database.

Measure (same child, in-process Django test client, no server), for three users — the province
(city_staff at 330000: scope everything), a city (丽水, city_staff limited to its subtree) and a county
(莲都, county_staff) — with the cached figures off (LAOMO_AGGREGATE_CACHE_SECONDS=0: every figure
computed, the cost this bench is about) and, for the three aggregate pages, on (warm):

- summary: `laomo.reports.selectors.summary(year=2022, previous=True)` (what /api/v1/reports/summary returns);
- dashboard `/?year=2022`; workspace `/reports/?year=2022`;
- lists: `/workers/`, `/care/visits/`, `/volunteering/records/`, `/outreach/lectures/`.

The floor of each is **its own SQL**: every SELECT the page ran (captured once), replayed through a raw
cursor and fetched, nothing else (no ORM, no Python figures, no template, no middleware). It yields the
same figures by construction; page / floor is what laomo adds on top of the database's work, and the
query count beside it says how that SQL is split. A county's times are also compared with the same
pages on the 2022 demo database (`make run`'s), measured in the same run (`--no-demo` skips it): the
goal is that a county's cost follows its own data, not the province's.

Each time is the median of `--requests` runs after one warm-up, wall and CPU of the process (on SQLite
the database's work is in it too, and a busy machine disturbs it far less than the wall time); the last
line is the DESIGN.md §9 line. Ratios are floor / page (1 = as fast as its SQL) and, for the county,
demo / scale, each on wall time and on CPU time (`_cpu`; on PostgreSQL the CPU is the Django process's
only, the server's work is not in it, so read the wall ratios there).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from common import (
    WORK_DIR,
    Databases,
    contract_line,
    demo_database,
    emit_child,
    load_average,
    log,
    machine,
    median,
    run_child,
    setup_django,
)

BENCH = "scale"
YEAR = 2022
YEARS = range(2013, 2023)
PASSWORD = "Bench-pass-2022!"
SIZES = {
    "province": dict(workers=200_000, records=2_000_000, requests=50_000, lectures=200_000, visits=500_000,
                     surveys=50_000, studios=3_000, mentorships=10_000, batches_per_city_year=3),
    "medium": dict(workers=40_000, records=400_000, requests=10_000, lectures=40_000, visits=100_000,
                   surveys=10_000, studios=600, mentorships=2_000, batches_per_city_year=2),
    "small": dict(workers=4_000, records=40_000, requests=1_000, lectures=4_000, visits=10_000, surveys=1_000,
                  studios=60, mentorships=200, batches_per_city_year=1),
}
SCOPES = {"province": "330000", "city": "331100", "county": "331102"}
LISTS = {"workers": "/workers/", "care_visits": "/care/visits/", "service_records": "/volunteering/records/",
         "lectures": "/outreach/lectures/"}
AGGREGATES = ("summary", "dashboard", "reports")
CHUNK = 20_000


# --- building (child) ------------------------------------------------------------------------------------


def _day(rng: random.Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _when(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def _bulk(model, rows, **kwargs) -> list:
    return model.objects.bulk_create(rows, batch_size=2000, **kwargs)


class Builder:
    def __init__(self, size: dict, seed: int = 16):
        from laomo.orgs.models import OrgUnit

        self.n = size
        self.rng = random.Random(seed)
        units = list(OrgUnit.objects.filter(parent__isnull=False))
        self.units = {u.pk: u for u in units}
        self.city_of = {}  # unit id -> city unit id
        for u in units:
            ids = u.ids_on_path(u.path)
            self.city_of[u.pk] = ids[1] if len(ids) > 1 else u.pk
        self.cities = sorted({c for c in self.city_of.values()})
        self.facts: dict[str, int] = {}

    def run(self) -> dict:
        from django.db import connection, transaction
        from worker_list import build as build_workers

        from laomo.core import aggregates

        started = time.perf_counter()
        facts = build_workers(self.n["workers"], seed=16)  # workers and honors: raw multi-row INSERTs
        self.facts.update(workers=facts["workers"], honors=facts["honors"])
        self._load_workers()
        tables = ("volunteering_serviceteam", "volunteering_servicerecord", "volunteering_servicehours",
                  "volunteering_servicerequest", "outreach_lecture", "outreach_lecturespeaker", "care_carevisit",
                  "care_hardshipsurvey", "studios_studio", "studios_mentorship", "studios_mentorshipparticipant",
                  "retreats_retreatbatch", "retreats_retreatapplication", "retreats_surveyresponse")
        from worker_list import _without_indexes

        with transaction.atomic(), _without_indexes(connection, tables):
            for step in (self.volunteering, self.outreach, self.care, self.studios, self.retreats):
                t = time.perf_counter()
                step()
                log(f"    {step.__name__}: {time.perf_counter() - t:.1f} s")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for table in tables:
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"COALESCE((SELECT MAX(id) FROM {table}), 1))")
                cursor.execute("ANALYZE")
        aggregates.invalidate_all()  # rows written outside the services
        self.facts["build_seconds"] = round(time.perf_counter() - started, 1)
        return self.facts

    def _load_workers(self) -> None:
        from laomo.workers.models import Worker

        rows = Worker.objects.filter(is_deleted=False).values_list("pk", "org_id", "name", "highest_level_rank")
        self.workers = list(rows)
        self.by_unit: dict[int, list] = {}
        self.by_city: dict[int, list] = {}
        for w in self.workers:
            self.by_unit.setdefault(w[1], []).append(w)
            self.by_city.setdefault(self.city_of[w[1]], []).append(w)

    def _worker_in(self, unit_id: int):
        pool = self.by_unit.get(unit_id) or self.by_city.get(self.city_of[unit_id]) or self.workers
        return self.rng.choice(pool)

    # volunteering: teams, records with their hours, requests
    def volunteering(self) -> None:
        from laomo.core.pii import blind_index, encrypted
        from laomo.volunteering.models import (
            RequestStatus,
            ServiceHours,
            ServiceRecord,
            ServiceRequest,
            ServiceTeam,
            TeamType,
        )

        rng, types = self.rng, list(TeamType)
        per_unit = 8 if self.n["records"] >= 1_000_000 else 2
        teams = []
        for unit in self.units.values():
            for k in range(per_unit):
                t = types[(unit.pk + k) % len(types)]
                teams.append(ServiceTeam(name=f"{unit.short_name or unit.name}{t.label}志愿服务队{k + 1}", team_type=t,
                                         org_id=unit.pk, founded_on=date(2010 + k % 3, 3, 1)))
        teams = _bulk(ServiceTeam, teams)
        records_by_unit: dict[int, list[int]] = {}
        per_year = self.n["records"] // len(YEARS)
        places = ["village", "community", "enterprise", "school", "agency", "other"]
        done = 0
        while done < self.n["records"]:
            batch = []
            for i in range(done, min(self.n["records"], done + CHUNK)):
                team = teams[rng.randrange(len(teams))]
                batch.append(ServiceRecord(org_id=team.org_id, team=team, team_type=team.team_type,
                                           date=_day(rng, YEARS[min(i // per_year, len(YEARS) - 1)]),
                                           place_kind=rng.choice(places), place=f"{rng.randrange(1, 300)}号服务点",
                                           content="义诊、技术指导与政策宣讲", person_times=rng.randrange(1, 40)))
            batch = _bulk(ServiceRecord, batch)
            hours = []
            for rec in batch:
                worker = self._worker_in(rec.org_id)
                hours.append(ServiceHours(record_id=rec.pk, worker_id=worker[0], name=worker[2],
                                          hours=Decimal(rng.choice(("1.5", "2.0", "3.0", "4.0", "6.0")))))
                records_by_unit.setdefault(rec.org_id, []).append(rec.pk)
            _bulk(ServiceHours, hours)
            done += len(batch)
        self.facts["service_records"] = done
        self.facts["service_hours"] = done
        name, phone = encrypted("王某某"), encrypted("13800000000")
        requests = []
        units = [u for u in records_by_unit if len(records_by_unit[u]) > 5]
        statuses = ([RequestStatus.RATED] * 10 + [RequestStatus.COMPLETED] * 4 + [RequestStatus.PENDING] * 2
                    + [RequestStatus.DISPATCHED] * 2 + [RequestStatus.REFUSED, RequestStatus.CANCELLED])
        teams_by_unit: dict[int, list] = {}
        for team in teams:
            teams_by_unit.setdefault(team.org_id, []).append(team)
        for i in range(self.n["requests"]):
            unit = rng.choice(units)
            status = rng.choice(statuses)
            received = _when(_day(rng, rng.choice(YEARS)))
            req = ServiceRequest(
                tracking_code=f"BQ{i:09d}", org_id=unit, channel="portal", category="medical",
                description="老人需要上门义诊", town="某镇", village="某村", contact_name=name,
                contact_name_masked="王**", contact_phone=phone, contact_phone_masked="138****0000",
                contact_phone_index=blind_index("13800000000", purpose="phone"), status=status,
                received_at=received)
            if status in (RequestStatus.DISPATCHED, RequestStatus.COMPLETED, RequestStatus.RATED):
                req.team = rng.choice(teams_by_unit[unit])
                req.dispatched_at = received + timedelta(hours=4)
            if status in (RequestStatus.COMPLETED, RequestStatus.RATED):
                pool = records_by_unit[unit]
                if not pool:
                    req.status, req.team, req.dispatched_at = RequestStatus.PENDING, None, None
                else:
                    req.record_id = pool.pop()
                    req.accepted_at = received + timedelta(hours=8)
                    req.completed_at = received + timedelta(days=2)
            if req.status == RequestStatus.RATED:
                req.rating = rng.choice((3, 4, 5, 5, 5))
                req.rated_at = received + timedelta(days=3)
            if status == RequestStatus.REFUSED:
                req.refuse_reason = "不属于服务范围"
                req.closed_at = received + timedelta(days=1)
            if status == RequestStatus.CANCELLED:
                req.cancel_reason = "群众已自行解决"
                req.closed_at = received + timedelta(days=1)
            requests.append(req)
        _bulk(ServiceRequest, requests)
        self.facts["service_requests"] = len(requests)
        self.facts["service_teams"] = len(teams)

    def outreach(self) -> None:
        from laomo.outreach.models import Lecture, LectureSpeaker

        rng = self.rng
        venues = ["agency", "school", "hospital", "enterprise", "community", "village", "online"]
        unit_ids = list(self.units)
        done = 0
        while done < self.n["lectures"]:
            batch = []
            for _ in range(min(CHUNK, self.n["lectures"] - done)):
                worker = rng.choice(self.workers)
                org = worker[1] if rng.random() < 0.8 else rng.choice(unit_ids)
                status = rng.choices(("held", "planned", "cancelled"), (90, 6, 4))[0]
                batch.append(Lecture(date=_day(rng, rng.choice(YEARS)), title="劳模精神进企业", org_id=org,
                                     venue_type=rng.choice(venues), venue_name="会议室", status=status,
                                     audience=rng.randrange(20, 400) if status == "held" else 0))
            batch = _bulk(Lecture, batch)
            _bulk(LectureSpeaker, [LectureSpeaker(lecture_id=lec.pk, worker_id=self._worker_in(lec.org_id)[0],
                                                  position=1) for lec in batch])
            done += len(batch)
        self.facts["lectures"] = done

    def care(self) -> None:
        from laomo.care.models import CareVisit, HardshipSurvey, SurveyRound
        from laomo.core.pii import encrypted

        rng = self.rng
        account = encrypted("6222020200012345678")
        types = ["spring_festival", "spring_festival", "hardship", "illness", "elderly", "other"]
        done = 0
        while done < self.n["visits"]:
            batch = []
            for _ in range(min(CHUNK, self.n["visits"] - done)):
                worker = rng.choice(self.workers)
                paid = rng.random() < 0.7
                visit = CareVisit(worker_id=worker[0], org_id=worker[1], visit_type=rng.choice(types),
                                  visit_date=_day(rng, rng.choice(YEARS)), method=rng.choice(("home", "workplace")),
                                  visitors="工会干部", goods="" if paid else "慰问品")
                if paid:
                    visit.amount = Decimal(rng.choice((500, 800, 1000, 2000)))
                    if rng.random() < 0.6:
                        visit.payment_method, visit.bank_name = "transfer", "工商银行"
                        visit.bank_account, visit.bank_account_masked = account, "6222****5678"
                    else:
                        visit.payment_method, visit.receipt_signed = "cash", True
                else:
                    visit.amount, visit.payment_method = Decimal("0"), "none"
                if rng.random() < 0.01:
                    visit.is_void, visit.void_reason = True, "重复录入"
                batch.append(visit)
            done += len(_bulk(CareVisit, batch))
        self.facts["care_visits"] = done
        rounds = _bulk(SurveyRound, [
            SurveyRound(year=y, name=f"{y}年困难劳模调查", org_id=city, start_date=date(y, 3, 1),
                        end_date=date(y, 6, 30), income_threshold=Decimal("30000"), marginal_factor=Decimal("1.5"),
                        status="closed")
            for city in self.cities for y in YEARS])
        surveys = []
        per_round = max(1, self.n["surveys"] // len(rounds))
        for rnd in rounds:
            pool = self.by_city.get(rnd.org_id) or []
            for worker in rng.sample(pool, min(per_round, len(pool))):
                day = date(rnd.year, 3, 1) + timedelta(days=rng.randrange(120))
                surveys.append(HardshipSurvey(
                    round_id=rnd.pk, worker_id=worker[0], org_id=worker[1], survey_date=day,
                    verification_method="home", household_size=rng.randrange(1, 6), employment="retired",
                    housing_type="own", hardship_level=rng.choice(("none", "none", "hardship", "special")),
                    status="approved", submitted_at=_when(day), reviewed_at=_when(day + timedelta(days=7))))
        _bulk(HardshipSurvey, surveys)
        self.facts["hardship_surveys"] = len(surveys)

    def studios(self) -> None:
        from laomo.studios.models import Mentorship, MentorshipParticipant, Studio

        rng = self.rng
        studios = []
        for i in range(self.n["studios"]):
            worker = rng.choice(self.workers)
            founded = _day(rng, rng.choice(YEARS))
            studios.append(Studio(name=f"{worker[2]}劳模创新工作室{i}", studio_type="model_worker",
                                  level=rng.choice(("national", "provincial", "municipal", "county", "county")),
                                  lead_id=worker[0], host_enterprise="某某有限公司", org_id=worker[1],
                                  founded_date=founded, status="named", status_date=founded, named_date=founded))
        studios = _bulk(Studio, studios)
        mentorships = []
        for _ in range(self.n["mentorships"]):
            studio = rng.choice(studios) if rng.random() < 0.6 else None
            start = _day(rng, rng.choice(YEARS))
            end = start + timedelta(days=rng.randrange(180, 900)) if rng.random() < 0.6 else None
            mentorships.append(Mentorship(org_id=studio.org_id if studio else rng.choice(self.workers)[1],
                                          studio=studio, title="师徒结对", goals="掌握核心技能", start_date=start,
                                          end_date=end))
        mentorships = _bulk(Mentorship, mentorships)
        participants = []
        for m in mentorships:
            participants.append(MentorshipParticipant(mentorship_id=m.pk, role="mentor",
                                                      worker_id=self._worker_in(m.org_id)[0], name="师傅"))
            for k in range(rng.choice((1, 1, 2))):
                participants.append(MentorshipParticipant(mentorship_id=m.pk, role="apprentice", name=f"徒弟{k + 1}"))
        _bulk(MentorshipParticipant, participants)
        self.facts.update(studios=len(studios), mentorships=len(mentorships))

    def retreats(self) -> None:
        from laomo.retreats.models import RetreatApplication, RetreatBatch, SurveyResponse

        rng = self.rng
        batches = []
        for city in self.cities:
            for y in YEARS:
                for k in range(self.n["batches_per_city_year"]):
                    start = date(y, 4 + 2 * k, 10)
                    batches.append(RetreatBatch(org_id=city, name=f"{y}年第{k + 1}期劳模疗休养", destination="安吉",
                                                start_date=start, end_date=start + timedelta(days=4), capacity=30,
                                                cost_per_person=Decimal("2400"), budget=Decimal("72000"),
                                                status="completed"))
        batches = _bulk(RetreatBatch, batches)
        apps = []
        for batch in batches:
            pool = self.by_city.get(batch.org_id) or []
            for worker in rng.sample(pool, min(24, len(pool))):
                status = rng.choices(("attended", "absent", "withdrawn"), (85, 10, 5))[0]
                apps.append(RetreatApplication(batch_id=batch.pk, worker_id=worker[0], org_id=worker[1],
                                               channel="nominated", status=status, level_rank=worker[3],
                                               reason="家中有事" if status == "withdrawn" else "",
                                               survey_token=uuid.UUID(int=rng.getrandbits(128)).hex))
        apps = _bulk(RetreatApplication, apps)
        _bulk(SurveyResponse, [SurveyResponse(application_id=a.pk, batch_id=a.batch_id, itinerary=5, accommodation=4,
                                              food=rng.choice((3, 4, 5)), guide=5, overall=rng.choice((4, 5)))
                               for a in apps if a.status == "attended" and rng.random() < 0.6])
        self.facts.update(retreat_batches=len(batches), retreat_applications=len(apps))


# --- measuring (child) -----------------------------------------------------------------------------------


def make_users() -> dict:
    from laomo.core.actors import SYSTEM
    from laomo.orgs import services
    from laomo.orgs.models import OrgUnit, User
    from laomo.orgs.roles import DataScope

    specs = {"province": ("city_staff", ""), "city": ("city_staff", DataScope.SUBTREE),
             "county": ("county_staff", "")}
    users = {}
    for scope, code in SCOPES.items():
        org = OrgUnit.objects.filter(code=code).first()
        if org is None:  # the demo has no province
            continue
        role, data_scope = specs[scope]
        name = f"bench_{scope}"
        user = User.objects.filter(username=name).first() or services.user_create(
            actor=SYSTEM, username=name, org=org, roles=[role], password=PASSWORD, must_change_password=False,
            full_name=f"压测{scope}", data_scope=data_scope)[0]
        users[scope] = user
    return users


class Recorder:
    """Times a callable, captures its SQL once, and times that SQL replayed on a raw cursor (the floor)."""

    def __init__(self, requests: int):
        self.requests = requests
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.floor: dict[str, float] = {}
        self.floor_cpu: dict[str, float] = {}
        self.queries: dict[str, int] = {}
        self.slowest: dict[str, list] = {}

    def _timed(self, fn) -> tuple[float, float]:
        times, cpus = [], []
        for _ in range(self.requests):
            started, cpu = time.perf_counter(), time.process_time()
            fn()
            times.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        return median(times), median(cpus)

    def measure(self, name: str, fn, *, floor: bool = True, **settings) -> None:
        from django.db import connection
        from django.test import override_settings

        with override_settings(**settings):
            if not floor:
                fn()  # warm: the cached figures are stored by this call
            statements = []

            def capture(execute, sql, params, many, context):
                if not many:
                    statements.append((sql, params))
                return execute(sql, params, many, context)

            with connection.execute_wrapper(capture):
                fn()
            self.seconds[name], self.cpu[name] = self._timed(fn)
        self.queries[name] = len(statements)
        if not floor:
            return
        selects = [(sql, params) for sql, params in statements
                   if sql.lstrip().upper().startswith(("SELECT", "WITH"))]

        def replay():
            with connection.cursor() as cursor:
                for sql, params in selects:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        replay()
        self.floor[name], self.floor_cpu[name] = self._timed(replay)
        with connection.cursor() as cursor:  # where the SQL's time goes: its slowest statement
            slowest = (0.0, "")
            for sql, params in selects:
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                slowest = max(slowest, (time.perf_counter() - started, sql))
        self.slowest[name] = [round(slowest[0] * 1000, 1), slowest[1][:400]]


def _page(client, url: str):
    def fn():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")

    return fn


def measure(requests: int, scopes: list[str]) -> dict:
    from django.core.cache import cache
    from django.test import Client

    from laomo.reports.selectors import report_org, summary

    cache.clear()
    users = make_users()
    rec = Recorder(requests)
    for scope in scopes:
        user = users[scope]
        client = Client()
        client.force_login(user)
        org = report_org(user=user, code=None)

        def api_summary(user=user, org=org):
            summary(user=user, year=YEAR, org=org, previous=True)

        aggregate_pages = {"summary": api_summary, "dashboard": _page(client, f"/?year={YEAR}"),
                           "reports": _page(client, f"/reports/?year={YEAR}")}
        for page, fn in aggregate_pages.items():
            rec.measure(f"{page}_{scope}", fn, LAOMO_AGGREGATE_CACHE_SECONDS=0)
            rec.measure(f"{page}_{scope}_cached", fn, floor=False, LAOMO_AGGREGATE_CACHE_SECONDS=300)
        for page, url in LISTS.items():
            rec.measure(f"{page}_{scope}", _page(client, url), LAOMO_AGGREGATE_CACHE_SECONDS=0)
        log(f"    measured {scope}")
    return {"seconds": rec.seconds, "cpu": rec.cpu, "floor": rec.floor, "floor_cpu": rec.floor_cpu,
            "queries": rec.queries,
            "slowest": rec.slowest}


def child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--size", default="small")
    parser.add_argument("--requests", type=int, default=3)
    parser.add_argument("--demo", action="store_true", help="measure the county on the demo database")
    parser.add_argument("--reuse", action="store_true", help="measure the database as it is (built before)")
    args = parser.parse_args(argv)
    setup_django()
    if args.demo:
        result = measure(args.requests, ["county"])
        from laomo.workers.models import Worker

        result["workers"] = Worker.objects.filter(is_deleted=False).count()
        emit_child(result)
        return
    from django.core.management import call_command

    if args.reuse:
        facts = {}
    else:
        call_command("seed_province", stdout=open(os.devnull, "w"))
        facts = Builder(SIZES[args.size]).run()
        log(f"    built in {facts['build_seconds']} s: {facts}")
    result = measure(args.requests, list(SCOPES))
    result["facts"] = facts
    emit_child(result)


# --- the parent ------------------------------------------------------------------------------------------


def _kept_facts(dbs, size: str) -> Path:
    """Where a --keep run leaves the facts of the database it built (a --reuse run reports them)."""
    name = urlsplit(dbs.pg_url).path.strip("/") if dbs.pg_url else "sqlite"
    return WORK_DIR / f"scale-{size}-{name}.facts.json"



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--requests", type=int, default=3, help="timed runs per measurement (median reported)")
    parser.add_argument("--database-url", help="a PostgreSQL database of your own (dropped and re-created)")
    parser.add_argument("--no-demo", action="store_true", help="skip the county's baseline on the demo database")
    parser.add_argument("--keep", action="store_true", help="keep the built database (and its facts) for --reuse")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the database a --keep run of this size built, without building it")
    args = parser.parse_args()
    dbs = Databases(pg_url=args.database_url)
    log(f"{BENCH}: {args.size} on {dbs.kind}, {machine()}")
    started = time.perf_counter()
    load_before = load_average()
    demo = None
    if not args.no_demo:
        pg_name = f"{urlsplit(args.database_url).path.lstrip('/')}_county" if args.database_url else None
        url = demo_database(dbs, "scale-demo", pg_name=pg_name)
        demo = run_child(Path(__file__).name, ["--demo", "--requests", str(args.requests)], url)
        dbs.drop(url)
        log(f"  demo ({demo['workers']} workers): county measured")
    kept = _kept_facts(dbs, args.size)
    child = ["--size", args.size, "--requests", str(args.requests)]
    if args.reuse:
        if not kept.exists():
            raise SystemExit(f"--reuse: no database kept at --size {args.size} ({kept} missing): run with --keep")
        url = args.database_url or f"sqlite:///{WORK_DIR / f'scale-{args.size}.sqlite3'}"
        dbs.migrate(url)
        out = run_child(Path(__file__).name, [*child, "--reuse"], url)
        out["facts"] = json.loads(kept.read_text())
    else:
        kept.unlink(missing_ok=True)
        url = dbs.fresh(f"scale-{args.size}")
        out = run_child(Path(__file__).name, child, url)
    if args.keep or args.reuse:
        kept.write_text(json.dumps(out["facts"]))
        log(f"  kept {url}")
    else:
        dbs.drop(url)
    s, f, q = out["seconds"], out["floor"], out["queries"]
    log(f"  {args.size}: {out['facts']}")
    log(f"  {'measurement':<28} {'page ms':>9} {'CPU ms':>9} {'SQL ms':>9} {'SQL/page':>8} {'CPU':>5} "
        f"{'queries':>7} {'demo ms':>9} {'demo CPU':>9}")
    ratios = {}
    for name in s:
        line = f"    {name:<26} {s[name] * 1000:9.1f} {out['cpu'][name] * 1000:9.1f}"
        cpu = out["cpu"][name]
        if name in f:
            ratios[f"{name}_vs_sql"] = f[name] / s[name] if s[name] else 0
            ratios[f"{name}_vs_sql_cpu"] = out["floor_cpu"][name] / cpu if cpu else 0
            line += f" {f[name] * 1000:9.1f} {ratios[f'{name}_vs_sql']:8.2f} {ratios[f'{name}_vs_sql_cpu']:5.2f}"
        else:
            line += f" {'':9} {'':8} {'':5}"
        line += f" {q[name]:7d}"
        if demo and name in demo["seconds"]:
            ratios[f"{name}_demo_vs_scale"] = demo["seconds"][name] / s[name]
            ratios[f"{name}_demo_vs_scale_cpu"] = demo["cpu"][name] / cpu if cpu else 0
            line += f" {demo['seconds'][name] * 1000:9.1f} {demo['cpu'][name] * 1000:9.1f}"
        log(line)
    seconds = {**s, **{f"{k}_sql": v for k, v in f.items()},
               **({f"{k}_demo": v for k, v in demo["seconds"].items()} if demo else {})}
    print(contract_line(BENCH, out["facts"]["workers"], seconds, ratios, size_name=args.size, db=dbs.kind,
                        requests=args.requests, machine=machine(), facts=out["facts"], queries=q,
                        cpu=out["cpu"], sql_cpu=out["floor_cpu"], slowest_statement_ms=out["slowest"],
                        demo_cpu=demo["cpu"] if demo else None,
                        demo_queries=demo["queries"] if demo else None,
                        demo_workers=demo["workers"] if demo else None,
                        load_average=[load_before, load_average()],
                        total_seconds=round(time.perf_counter() - started, 1)), flush=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child_main(sys.argv[1:])
    else:
        main()
