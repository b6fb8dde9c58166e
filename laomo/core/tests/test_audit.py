import hashlib
import hmac
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from laomo.core import audit, audit_triggers
from laomo.core.audit import verify_chain
from laomo.core.models import AuditEntry, AuditHead

TABLE = AuditEntry._meta.db_table


@pytest.fixture(autouse=True)
def _any_action(settings):
    # These tests exercise the chain itself with made-up actions ("test.write"); the enumeration of
    # real actions is tested in test_actions.py.
    settings.LAOMO_STRICT_ACTIONS = False


@pytest.fixture
def chain(users):
    for i in range(5):
        audit.record(actor=users["city_staff"], action="test.write", object_type="t", object_id=i,
                     changes={"名称": ["甲", f"乙{i}"], "amount": "12.50"})
    return list(AuditEntry.objects.order_by("id"))


def as_dba():
    """Below the application, as someone who owns the database: the append-only triggers dropped."""
    return audit_triggers.lifted(connection)


def _raw_update(entry_id, **fields):
    # A hand edit below the application, as a DBA with table access would do.
    sets = ", ".join(f"{k} = %s" for k in fields)
    with as_dba(), connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET {sets} WHERE id = %s", [*fields.values(), entry_id])


def _raw_delete(*ids):
    with as_dba(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id IN ({', '.join(['%s'] * len(ids))})", list(ids))


@pytest.mark.django_db
def test_it_chains_each_entry_to_the_previous(chain):
    for prev, entry in zip(chain, chain[1:], strict=False):
        assert entry.prev_hash == prev.hash
    head = AuditHead.objects.get()
    assert head.last_hash == chain[-1].hash and head.count == len(chain)


@pytest.mark.django_db
def test_it_appends_many_entries_in_order_with_one_lock_of_the_head(chain, users, django_assert_max_num_queries):
    """`record_many` (an import's entry per changed record) chains like as many `record`s: in the given order,
    each on the previous one, the head moved once; inserts of many rows each (SQLite takes ~60 entries a
    statement, PostgreSQL 1,000), where 2,500 `record`s would send 10,000 statements."""
    with django_assert_max_num_queries(60):
        n = audit.record_many(actor=users["city_staff"], entries=[
            {"action": "test.write", "object_type": "t", "object_id": i, "changes": {"名称": ["甲", f"丙{i}"]}}
            for i in range(1, 2501)])
    assert n == 2500
    added = list(AuditEntry.objects.filter(id__gt=chain[-1].id).order_by("id"))
    assert [e.object_id for e in added] == [str(i) for i in range(1, 2501)]
    assert added[0].prev_hash == chain[-1].hash
    assert all(b.prev_hash == a.hash for a, b in zip(added, added[1:], strict=False))
    assert {e.actor_id for e in added} == {users["city_staff"].pk} and added[0].org_id == users["city_staff"].org_id
    head = AuditHead.objects.get()
    assert (head.last_hash, head.last_id, head.count) == (added[-1].hash, added[-1].id, len(chain) + 2500)
    assert verify_chain().ok
    assert audit.record_many(actor=users["city_staff"], entries=[]) == 0
    assert AuditHead.objects.get().count == len(chain) + 2500


@pytest.mark.django_db
def test_it_refuses_an_unknown_action_in_a_batch_before_writing_any(chain, users, settings):
    settings.LAOMO_STRICT_ACTIONS = True
    with pytest.raises(ValueError):
        audit.record_many(actor=users["city_staff"], entries=[
            {"action": "workers.worker.import_update", "object_type": "t", "object_id": 1},
            {"action": "no.such.action", "object_type": "t", "object_id": 2}])
    assert AuditEntry.objects.count() == len(chain)


@pytest.mark.django_db
def test_it_verifies_an_intact_chain(chain, capsys):
    assert verify_chain().ok
    call_command("verify_audit")
    assert "审计日志完整" in capsys.readouterr().out


@pytest.mark.django_db
def test_it_detects_a_hand_edited_row(chain, capsys):
    _raw_update(chain[2].id, object_repr="改过的")
    result = verify_chain()
    assert not result.ok and result.bad_id == chain[2].id
    with pytest.raises(SystemExit) as exc:
        call_command("verify_audit")
    assert exc.value.code == 1
    assert f"id={chain[2].id}" in capsys.readouterr().err


@pytest.mark.django_db
def test_it_detects_an_edited_changes_field(chain):
    _raw_update(chain[1].id, changes='{"amount": "99.00"}')
    assert verify_chain().bad_id == chain[1].id


@pytest.mark.django_db
def test_it_detects_a_deleted_middle_entry(chain):
    _raw_delete(chain[2].id)
    result = verify_chain()
    assert not result.ok and result.bad_id == chain[3].id


@pytest.mark.django_db
def test_it_detects_a_deleted_last_entry(chain):
    _raw_delete(chain[-1].id)
    assert not verify_chain().ok


@pytest.mark.django_db
def test_it_records_actor_org_and_ip(users, rf):
    from laomo.core.request_context import reset_current_ip, set_current_ip

    token = set_current_ip("10.1.2.3")
    try:
        entry = audit.record(actor=users["county_staff"], action="x.y")
    finally:
        reset_current_ip(token)
    assert entry.actor_username == "t_liandu" and entry.org.code == "331102" and entry.ip == "10.1.2.3"


@pytest.mark.django_db
def test_it_lets_only_the_auditor_read_the_log(clients, chain):
    assert clients["auditor"].get("/core/audit/").status_code == 200
    for role in ("city_staff", "sysadmin", "secadmin", "viewer"):
        assert clients[role].get("/core/audit/").status_code == 403


@pytest.mark.django_db
def test_it_searches_the_log(clients, chain, users):
    audit.record(actor=users["county_staff"], action="other.thing", object_repr="某劳模")
    page = clients["auditor"].get("/core/audit/", {"actor": "t_liandu", "action": "other"},
                                  HTTP_HX_REQUEST="true").content.decode()
    assert "某劳模" in page and "test.write" not in page
    page = clients["auditor"].get("/core/audit/", {"obj": "某劳模"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in page and "某劳模" in page


@pytest.mark.django_db
def test_it_audits_permission_refusals(clients):
    clients["county_staff"].get("/system/users/")
    entry = AuditEntry.objects.filter(action="core.permission.deny").latest("id")
    assert entry.actor_username == "t_liandu" and entry.result == "denied" and "/system/users/" in entry.object_repr


# --- issue 11: an HMAC chain under a key outside the database, append-only, anchored ------------------


def _plain_sha256(entry):
    return hashlib.sha256(audit._canonical(entry).encode()).hexdigest()


def _hmac_guessed_key(entry):
    return hmac.new(b"a key the attacker guessed", audit._canonical(entry).encode(), hashlib.sha256).hexdigest()


@pytest.mark.django_db
def test_it_signs_each_entry_with_the_key_it_names(chain, settings):
    signing = settings.LAOMO_AUDIT_KEYS[0]
    for entry in chain:
        assert entry.key_id == audit.key_id(signing) and len(entry.key_id) == 8
        assert entry.hash == hmac.new(signing.encode(), audit._canonical(entry).encode(), hashlib.sha256).hexdigest()
        assert entry.hash != _plain_sha256(entry)


@pytest.mark.django_db
@pytest.mark.parametrize("forge", [_plain_sha256, _hmac_guessed_key], ids=["sha256", "guessed-key"])
def test_it_catches_a_deleted_row_rechained_without_the_key(chain, forge, capsys):
    # Finding 5: delete a row, recompute the later rows with a public function, update the head.
    _raw_delete(chain[2].id)
    prev = chain[1].hash
    with as_dba():
        for entry in chain[3:]:
            entry.prev_hash = prev
            entry.hash = prev = forge(entry)
            AuditEntry.objects.filter(id=entry.id).update(prev_hash=entry.prev_hash, hash=entry.hash)
        AuditHead.objects.filter(id=1).update(last_hash=prev, count=len(chain) - 1)
    result = verify_chain()
    assert not result.ok and result.bad_id == chain[3].id and result.checked == 2
    with pytest.raises(SystemExit) as exc:
        call_command("verify_audit")
    assert exc.value.code == 1 and f"id={chain[3].id}" in capsys.readouterr().err


def _refused(statement):
    with pytest.raises(IntegrityError, match="只允许追加"), transaction.atomic():
        statement()


@pytest.mark.django_db
def test_it_refuses_to_update_or_delete_entries_through_the_orm(chain):
    entry = AuditEntry.objects.get(id=chain[2].id)
    entry.object_repr = "改过的"
    _refused(entry.save)
    _refused(lambda: AuditEntry.objects.filter(id=entry.id).update(object_repr="改过的"))
    _refused(lambda: AuditEntry.objects.filter(id=entry.id).delete())
    _refused(entry.delete)
    _refused(lambda: AuditEntry.objects.all().delete())
    assert list(AuditEntry.objects.order_by("id")) == chain
    assert AuditEntry.objects.get(id=entry.id).object_repr == chain[2].object_repr
    assert verify_chain().ok


@pytest.mark.django_db
def test_it_refuses_to_update_or_delete_entries_in_raw_sql(chain):
    def run(sql, params=()):
        def statement():
            with connection.cursor() as cur:
                cur.execute(sql, params)
        return statement

    _refused(run(f"UPDATE {TABLE} SET object_repr = %s WHERE id = %s", ["改过的", chain[1].id]))
    _refused(run(f"UPDATE {TABLE} SET hash = prev_hash"))
    _refused(run(f"DELETE FROM {TABLE} WHERE id = %s", [chain[1].id]))
    _refused(run(f"DELETE FROM {TABLE}"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # check the deferred foreign keys now, or TRUNCATE refuses for that
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        _refused(run(f"TRUNCATE {TABLE}"))
    assert AuditEntry.objects.count() == len(chain) and verify_chain().ok
    audit.record(action="test.after", username="x")  # appending (and moving the head) still works
    assert verify_chain().ok


@pytest.mark.django_db
def test_it_puts_missing_triggers_back_after_migrate_and_warns_meanwhile(chain, capsys):
    from laomo.core.apps import _ensure_audit_triggers

    audit_triggers.drop(connection)
    assert not audit_triggers.installed(connection)
    call_command("verify_audit")
    assert "触发器缺失" in capsys.readouterr().err
    _ensure_audit_triggers(sender=None, using=connection.alias)
    assert audit_triggers.installed(connection)
    _refused(lambda: AuditEntry.objects.filter(id=chain[0].id).delete())


@pytest.mark.django_db
def test_it_verifies_old_entries_with_the_old_key_after_a_rotation(settings):
    old, new = "old-key-" + "a" * 56, "new-key-" + "b" * 56
    settings.LAOMO_AUDIT_KEYS = [old]
    first = [audit.record(action="test.before", username="x") for _ in range(3)]
    settings.LAOMO_AUDIT_KEYS = [new, old]  # the new key signs, both verify
    later = [audit.record(action="test.after", username="x") for _ in range(2)]
    assert {e.key_id for e in first} == {audit.key_id(old)} and {e.key_id for e in later} == {audit.key_id(new)}
    assert verify_chain().ok and verify_chain().checked == 5
    settings.LAOMO_AUDIT_KEYS = [new]  # the old key dropped too early
    result = verify_chain()
    assert not result.ok and result.bad_id == first[0].id and "签名密钥" in result.reason


@pytest.mark.django_db
def test_it_fails_verification_under_a_wrong_key(chain, settings):
    settings.LAOMO_AUDIT_KEYS = ["a-wrong-key-" + "c" * 52]
    result = verify_chain()
    assert not result.ok and result.bad_id == chain[0].id and "签名密钥" in result.reason
    with pytest.raises(SystemExit):
        call_command("verify_audit")


def _anchor(capsys) -> str:
    call_command("verify_audit", "--anchor")
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return out.strip()


@pytest.mark.django_db
def test_it_prints_the_head_as_one_line_of_json(chain, capsys):
    anchor = json.loads(_anchor(capsys))
    head = AuditHead.objects.get()
    assert anchor["count"] == len(chain) == head.count and anchor["hash"] == head.last_hash == chain[-1].hash
    assert anchor["id"] == chain[-1].id and anchor["time"].startswith(f"{chain[-1].created_at.astimezone():%Y-%m-%d}")


@pytest.mark.django_db
def test_it_accepts_kept_anchors_while_the_log_grows(chain, capsys, tmp_path):
    kept = tmp_path / "anchors.jsonl"
    kept.write_text(_anchor(capsys) + "\n")
    audit.record(action="test.more", username="x")
    kept.write_text(kept.read_text() + _anchor(capsys) + "\n")
    audit.record(action="test.more", username="x")
    call_command("verify_audit", "--check-anchor", str(kept))
    assert "与保存的 2 个锚点一致" in capsys.readouterr().out
    call_command("verify_audit", "--check-anchor", kept.read_text().splitlines()[0])
    assert f"审计日志完整:共校验 {len(chain) + 2} 条" in capsys.readouterr().out


def _as_key_holder_cut_back_to(entry):
    """Someone with the key (and the database): drop the tail after `entry`, point the head at it."""
    _raw_delete(*AuditEntry.objects.filter(id__gt=entry.id).values_list("id", flat=True))
    AuditHead.objects.filter(id=1).update(last_hash=entry.hash, last_id=entry.id,
                                          count=AuditEntry.objects.count())


@pytest.mark.django_db
def test_it_catches_a_rewrite_with_the_key_after_the_anchor_was_taken(chain, capsys):
    anchor = _anchor(capsys)
    _as_key_holder_cut_back_to(chain[-3])
    forged = [audit.record(action="test.forged", username="x") for _ in range(3)]
    assert verify_chain().ok  # signed with the key: the chain alone cannot tell
    with pytest.raises(SystemExit) as exc:
        call_command("verify_audit", "--check-anchor", anchor)
    err = capsys.readouterr().err
    assert exc.value.code == 1 and f"id={forged[1].id}" in err and "锚点" in err


@pytest.mark.django_db
def test_it_catches_a_truncation_with_the_key_after_the_anchor_was_taken(chain, capsys):
    anchor = _anchor(capsys)
    _as_key_holder_cut_back_to(chain[2])
    assert verify_chain().ok
    result = verify_chain([json.loads(anchor)])
    assert not result.ok and result.checked == 3 and f"少于保存的锚点记录的 {len(chain)} 条" in result.reason
    with pytest.raises(SystemExit) as exc:
        call_command("verify_audit", "--check-anchor", anchor)
    assert exc.value.code == 1


@pytest.mark.django_db
def test_it_refuses_an_anchor_it_cannot_read(chain):
    for bad in ['{"count": "5"}', '{"count": 5, "hash": "abc"}', "/nonexistent/anchors.jsonl", "{not json"]:
        with pytest.raises(CommandError):
            call_command("verify_audit", "--check-anchor", bad)


def _make_legacy(entries):
    """The log as it was before issue 11: plain SHA-256 links, no key id."""
    prev = audit.GENESIS
    with as_dba():
        for entry in entries:
            entry.key_id, entry.prev_hash = "", prev
            entry.hash = prev = audit._legacy_sha256(entry)
            AuditEntry.objects.filter(id=entry.id).update(key_id="", prev_hash=entry.prev_hash, hash=entry.hash)
        AuditHead.objects.filter(id=1).update(last_hash=prev)
    return prev


@pytest.mark.django_db
def test_it_resigns_a_legacy_chain_once_and_says_so_in_the_log(chain, settings):
    legacy_head = _make_legacy(chain)
    assert not verify_chain().ok  # a legacy chain no longer verifies ...
    with as_dba():
        summary = audit.resign_legacy_chain()  # ... until migration 0004 re-signs it
    assert verify_chain().ok and verify_chain().checked == len(chain) + 1
    note = AuditEntry.objects.latest("id")
    assert note.action == audit.RESIGNED_ACTION and note.changes == summary
    assert summary == {"entries": len(chain), "legacy_head": legacy_head, "legacy_intact": True,
                       "legacy_first_bad_id": None, "key_id": audit.key_id(settings.LAOMO_AUDIT_KEYS[0])}


@pytest.mark.django_db
def test_it_records_a_broken_legacy_chain_as_broken_when_resigning(chain):
    _make_legacy(chain)
    _raw_update(chain[1].id, object_repr="改过的")
    with as_dba():
        summary = audit.resign_legacy_chain()
    assert summary["legacy_intact"] is False and summary["legacy_first_bad_id"] == chain[1].id
    assert verify_chain().ok and AuditEntry.objects.latest("id").changes["legacy_intact"] is False


@pytest.mark.django_db
def test_it_resigns_nothing_in_an_empty_log():
    assert audit.resign_legacy_chain() is None and not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_triggers_in_a_transactional_test():
    # The flush after this test empties the audit table (triggers lifted for it, conftest.py) and
    # must leave them installed for the next one.
    audit.record(action="test.write", username="x")
    assert audit_triggers.installed(connection)
    with pytest.raises(IntegrityError):
        AuditEntry.objects.all().delete()
    assert verify_chain().ok
