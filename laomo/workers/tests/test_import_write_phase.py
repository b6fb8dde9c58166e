"""The roster import's write transaction is short: everything slow happens before it opens (issue 11, finding 6).

SQLite has one writer at a time, so every other writer waits for as long as the import holds its write
transaction. These tests instrument the importer's `transaction.atomic` and check that parsing, validation,
pinyin, blind indexes and the encryption of PII all run before it is entered, and that a record changed by
someone else between the preparation and the write is re-checked inside it (the upsert stays right).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone

from laomo.core import pii
from laomo.core.actors import SYSTEM
from laomo.workers import importer, indexes, services
from laomo.workers.importer import RosterImporter, roster_import
from laomo.workers.indexes import id_index
from laomo.workers.models import Honor, Worker

from .factories import make_id, make_worker

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号", "所属地区", "荣誉称号", "获评时间", "联系电话", "通讯地址"]
IDS = [make_id("331102", f"19{60 + i}0312", f"{100 + 2 * i + 1:03d}") for i in range(6)]


def _write_csv(tmp_path, rows):
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(",".join(r) for r in [HEADER, *rows]), encoding="utf-8")
    return path


def _rows(count=6):
    names = ["张三", "李四", "王五", "赵六", "孙八", "周九"]
    return [[names[i], IDS[i], "莲都区", "2015年丽水市劳动模范", "2015", f"1390578{i:04d}", f"莲都区某路{i}号"]
            for i in range(count)]


class Recorder:
    """Counts calls of the slow steps, split by whether the importer's write transaction is open."""

    def __init__(self, monkeypatch, on_enter=None):
        self.in_write = False
        self.entries = 0
        self.calls = {"inside": [], "outside": []}
        self.on_enter = on_enter
        recorder = self

        class Transaction:
            set_rollback = staticmethod(transaction.set_rollback)

            @staticmethod
            @contextmanager
            def atomic(*args, **kwargs):
                recorder.entries += 1
                if recorder.on_enter:
                    recorder.on_enter(recorder.entries)  # another clerk's committed write, just before ours
                with transaction.atomic(*args, **kwargs):
                    recorder.in_write = True
                    try:
                        yield
                    finally:
                        recorder.in_write = False

        monkeypatch.setattr(importer, "transaction", Transaction)
        for owner, name, label in [(pii, "encrypt", "encrypt"), (importer, "name_pinyin", "pinyin"),
                                   (indexes, "blind_index", "blind index"),
                                   (RosterImporter, "parse_row", "parse/validate")]:
            monkeypatch.setattr(owner, name, self._spy(getattr(owner, name), label))

    def _spy(self, fn, label):
        def spy(*args, **kwargs):
            self.calls["inside" if self.in_write else "outside"].append(label)
            return fn(*args, **kwargs)
        return spy


def test_it_parses_validates_and_encrypts_every_row_before_the_write_transaction_opens(tmp_path, orgs, monkeypatch):
    recorder = Recorder(monkeypatch)
    path = _write_csv(tmp_path, _rows())
    result = roster_import(actor=SYSTEM, source=str(path), filename=path.name, org=orgs["331100"], dry_run=False)
    assert (result.created_workers, result.rejected_rows, result.created_honors) == (6, 0, 6)
    assert recorder.entries == 1
    assert recorder.calls["inside"] == []  # the old import encrypted, pinyin'd and indexed inside it
    assert {"encrypt", "pinyin", "blind index", "parse/validate"} <= set(recorder.calls["outside"])
    # The ciphertexts made ahead were stored as they were: every PII value reads back as the plaintext.
    zhang = Worker.objects.get(name="张三")
    assert (zhang.id_number, zhang.phone, zhang.address) == (IDS[0], "13905780000", "莲都区某路0号")
    assert zhang.name_pinyin.startswith("zhangsan") and zhang.id_number_index == id_index(IDS[0])
    assert Worker.objects.filter(worker_no__startswith="LM").count() == 6


def test_it_stores_every_kind_of_value_the_insert_carries(tmp_path, orgs):
    """The rows go in as COPY (binary) on PostgreSQL and executemany on SQLite: each type reads back as the
    model's value (text, ciphertext, date, timestamp, boolean, small and big integers, NULL)."""
    path = _write_csv(tmp_path, _rows(2))
    before = timezone.now()
    roster_import(actor=SYSTEM, source=str(path), filename=path.name, org=orgs["331100"], dry_run=False)
    li = Worker.objects.select_related("org").get(name="李四")
    assert (li.sex, li.birth_date, li.org.code, li.employment_status, li.highest_level_rank) == (
        "M", date(1961, 3, 12), "331102", "active", 2)
    assert (li.is_deleted, li.deleted_at, li.status_date, li.user_id, li.is_incomplete, li.showcase_consent) == (
        False, None, None, None, False, False)
    assert (li.id_number, li.phone, li.address, li.phone_masked) == (IDS[1], "13905780001", "莲都区某路1号",
                                                                      "139****0001")
    assert before <= li.created_at <= timezone.now() and li.created_at.tzinfo is not None
    honor = li.honors.get()
    assert (honor.level, honor.kind, honor.title, honor.year, honor.award_date, honor.is_deleted) == (
        "municipal", "model_worker", "丽水市劳动模范", 2015, None, False)


def test_it_writes_next_years_changes_in_a_statement_per_kind_of_change(tmp_path, orgs):
    """A re-import that changes many people saves and audits them together: the UPDATEs of workers_worker are one
    executemany per set of changed columns, the audit entries one append (a save and a `record` each made the
    write transaction of 10k changed people 10 s long on SQLite), with the same values, entries and history."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from laomo.core.audit import verify_chain
    from laomo.core.models import AuditEntry
    from laomo.workers.models import WorkerChange

    first = _write_csv(tmp_path, _rows())
    roster_import(actor=SYSTEM, source=str(first), filename=first.name, org=orgs["331100"], dry_run=False)
    before = {w.name: w for w in Worker.objects.all()}
    changed = [[*row[:5], f"1370578{i:04d}" if i < 3 else row[5], *row[6:]] for i, row in enumerate(_rows())]
    path = tmp_path / "next.csv"
    path.write_text("\n".join(",".join(r) for r in [[*HEADER, "工作单位"], *[[*r, f"新单位{i}"] for i, r in
                                                                             enumerate(changed)]]), encoding="utf-8")
    with CaptureQueriesContext(connection) as queries:
        result = roster_import(actor=SYSTEM, source=str(path), filename=path.name, org=orgs["331100"],
                               dry_run=False)
    assert (result.created_workers, result.updated_workers, result.rejected_rows) == (0, 6, 0)
    updates = [q["sql"] for q in queries if f'UPDATE "{Worker._meta.db_table}" SET "employer"' in q["sql"]]
    assert sorted(updates) == [
        '3 times: UPDATE "workers_worker" SET "employer" = %s, "phone" = %s, "phone_index" = %s, "phone_masked" = %s, '
        '"updated_at" = %s WHERE "id" = %s',
        '3 times: UPDATE "workers_worker" SET "employer" = %s, "updated_at" = %s WHERE "id" = %s']
    for i, name in enumerate(["张三", "李四", "王五", "赵六", "孙八", "周九"]):
        worker = Worker.objects.get(pk=before[name].pk)
        assert worker.employer == f"新单位{i}" and worker.updated_at > before[name].updated_at
        phone = f"1370578{i:04d}" if i < 3 else f"1390578{i:04d}"
        assert (worker.phone, worker.phone_masked, worker.phone_index) == (
            phone, f"{phone[:3]}****{phone[-4:]}", indexes.phone_index(phone))
        entry = AuditEntry.objects.get(action="workers.worker.import_update", object_id=str(worker.pk))
        assert entry.changes["employer"] == ["", f"新单位{i}"] and entry.org_id == worker.org_id
        assert ("phone" in entry.changes) == (i < 3) and phone not in str(entry.changes)
        assert WorkerChange.objects.filter(worker=worker, kind="import").count() == 1
    assert verify_chain().ok


def test_it_stores_a_ciphertext_made_ahead_as_it_is_and_encrypts_plain_values(orgs):
    worker = Worker(worker_no="LMX0001", name="吴十", name_pinyin="wushi", name_initials="ws", org=orgs["331102"],
                    phone=pii.encrypted("13905781234"), address="丽水市某路1号")
    Worker.objects.bulk_create([worker])
    stored = Worker.objects.get(worker_no="LMX0001")
    assert (stored.phone, stored.address) == ("13905781234", "丽水市某路1号")


def test_it_re_plans_when_a_clerk_registers_one_of_the_ids_meanwhile(tmp_path, orgs, monkeypatch):
    def clerk_registers(entry):
        if entry == 1:  # between the import's preparation and its write transaction
            make_worker(orgs["331102"], "王五", id_number=IDS[2])

    recorder = Recorder(monkeypatch, on_enter=clerk_registers)
    path = _write_csv(tmp_path, _rows())
    result = roster_import(actor=SYSTEM, source=str(path), filename=path.name, org=orgs["331100"], dry_run=False)
    assert recorder.entries == 2  # the first plan was found stale inside the transaction and made again
    assert (result.created_workers, result.updated_workers, result.rejected_rows) == (5, 1, 0)
    assert Worker.objects.filter(id_number_index=id_index(IDS[2])).count() == 1
    wang = Worker.objects.get(id_number_index=id_index(IDS[2]))
    assert list(Honor.objects.filter(worker=wang).values_list("title", flat=True)) == ["丽水市劳动模范"]
    assert Worker.objects.count() == 6


@pytest.mark.parametrize("edit", ["honor", "move"])
def test_it_re_plans_when_a_matched_worker_gets_an_honor_or_moves_meanwhile(tmp_path, orgs, monkeypatch, edit):
    zhang = make_worker(orgs["331102"], "张三", id_number=IDS[0])
    li = make_worker(orgs["331102"], "李四", id_number=IDS[1])

    def clerk_edits(entry):
        if entry == 1 and edit == "honor":  # the file's honor of 张三 recorded by hand
            services.honor_add(actor=SYSTEM, worker=zhang, title="丽水市劳动模范", year=2015)
        if entry == 1 and edit == "move":  # 李四 moved to another county, his updated_at left as it was
            Worker.objects.filter(pk=li.pk).update(org=orgs["331121"])

    recorder = Recorder(monkeypatch, on_enter=clerk_edits)
    path = _write_csv(tmp_path, _rows())
    result = roster_import(actor=SYSTEM, source=str(path), filename=path.name, org=orgs["331100"], dry_run=False)
    assert recorder.entries == 2  # the change was seen inside the write transaction and the plan made again
    assert (result.created_workers, result.updated_workers) == (4, 2)
    assert Honor.objects.filter(worker=zhang).count() == 1  # not added a second time
    assert Worker.objects.count() == 6 and Honor.objects.count() == 6


def test_it_re_checks_inside_the_write_transaction_only_the_records_it_matched(tmp_path, orgs, monkeypatch):
    """Re-reading every ID number of the file inside the write transaction (100k values: 0.45 s of the
    transaction on PostgreSQL) is left to the unique index; the records already matched are re-read by id."""
    make_worker(orgs["331102"], "张三", id_number=IDS[0])
    recorder = Recorder(monkeypatch)
    real, looked_up = importer._rows_for, []

    def rows_for(sql, values):
        looked_up.append((recorder.in_write, "id_number_index IN" in sql, len(values)))
        return real(sql, values)

    monkeypatch.setattr(importer, "_rows_for", rows_for)
    path = _write_csv(tmp_path, _rows())
    result = roster_import(actor=SYSTEM, source=str(path), filename=path.name, org=orgs["331100"], dry_run=False)
    assert (result.created_workers, result.updated_workers) == (5, 1) and recorder.entries == 1
    assert (False, True, 6) in looked_up  # the plan: every ID number of the file
    # Inside: 张三's row by its id, then his honors.
    assert [(by_index, n) for inside, by_index, n in looked_up if inside] == [(False, 1), (False, 1)]


def test_it_finds_the_new_workers_ids_when_another_worker_is_inserted_with_them(tmp_path, orgs, monkeypatch):
    """The new rows' ids are read as those above the highest id before the insert, by their numbers."""
    from laomo.workers import importer as module

    real = module._PreparedInsert.execute

    def execute_then_another_insert(self, progress=None, batch=5000):
        real(self, progress, batch)
        if self.sql.startswith(f'INSERT INTO "{Worker._meta.db_table}"'):
            make_worker(orgs["331102"], "吴十")  # inside the same transaction: the highest id is not ours

    monkeypatch.setattr(module._PreparedInsert, "execute", execute_then_another_insert)
    path = _write_csv(tmp_path, _rows())
    result = roster_import(actor=SYSTEM, source=str(path), filename=path.name, org=orgs["331100"], dry_run=False)
    assert result.created_workers == 6
    for name, number in zip(["张三", "李四", "王五", "赵六", "孙八", "周九"], IDS, strict=True):
        worker = Worker.objects.get(name=name)
        assert worker.id_number == number
        assert list(worker.honors.values_list("title", flat=True)) == ["丽水市劳动模范"]
    assert not Worker.objects.get(name="吴十").honors.exists()


def test_it_plans_inside_the_transaction_when_the_records_keep_changing(tmp_path, orgs, monkeypatch):
    def clerk_registers(entry):  # a new conflicting worker before every attempt
        make_worker(orgs["331102"], ["张三", "李四", "王五"][entry - 1], id_number=IDS[entry - 1])

    recorder = Recorder(monkeypatch, on_enter=clerk_registers)
    path = _write_csv(tmp_path, _rows())
    result = roster_import(actor=SYSTEM, source=str(path), filename=path.name, org=orgs["331100"], dry_run=False)
    assert recorder.entries == importer.PLAN_ATTEMPTS == 3
    assert (result.created_workers, result.updated_workers, result.rejected_rows) == (3, 3, 0)
    assert Worker.objects.count() == 6 and Honor.objects.count() == 6


def test_it_opens_no_transaction_on_a_dry_run(tmp_path, orgs, monkeypatch):
    recorder = Recorder(monkeypatch)
    path = _write_csv(tmp_path, _rows())
    result = roster_import(actor=SYSTEM, source=str(path), filename=path.name, org=orgs["331100"], dry_run=True)
    assert result.created_workers == 6 and recorder.entries == 0 and Worker.objects.count() == 0


def test_it_keeps_no_pattern_ops_copies_of_the_workers_indexes(orgs):
    """Every index an insert into workers_worker maintains is one a query uses: on PostgreSQL, no `_like`
    (varchar_pattern_ops) copy Django adds for `db_index` / `unique` text columns (issue 16); the unique
    columns stay unique."""
    from django.db import IntegrityError, connection

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Worker._meta.db_table)
    columns = {tuple(c["columns"]) for c in indexes.values() if c["index"] or c["unique"]}
    assert {("name", "birth_date"), ("name_pinyin",), ("phone_index",), ("employment_status",), ("worker_no",),
            ("id_number_index",)} <= columns
    # Nor one no query can use: `name` alone is the duplicate check's index's first column, live rows are read
    # with `NOT is_deleted` (nearly every row: no planner reads that through an index), and the search reads the
    # initials and the employer with `contains`.
    assert not {("name",), ("is_deleted",), ("name_initials",), ("employer",)} & columns
    with connection.cursor() as cursor:
        honor_indexes = connection.introspection.get_constraints(cursor, Honor._meta.db_table)
    assert ("is_deleted",) not in {tuple(c["columns"]) for c in honor_indexes.values() if c["index"]}
    assert {tuple(c["columns"]) for c in indexes.values() if c["unique"]} >= {("worker_no",), ("id_number_index",)}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                           [Worker._meta.db_table, "%pattern_ops%"])
            assert cursor.fetchall() == []
    first, second = make_worker(orgs["331102"], "王五"), make_worker(orgs["331102"], "赵六")
    with pytest.raises(IntegrityError), transaction.atomic():
        Worker.objects.filter(pk=second.pk).update(worker_no=first.worker_no)
