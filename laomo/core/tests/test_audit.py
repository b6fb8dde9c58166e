import pytest
from django.core.management import call_command
from django.db import connection

from laomo.core import audit
from laomo.core.audit import verify_chain
from laomo.core.models import AuditEntry, AuditHead


@pytest.fixture
def chain(users):
    for i in range(5):
        audit.record(actor=users["city_staff"], action="test.write", object_type="t", object_id=i,
                     changes={"名称": ["甲", f"乙{i}"], "amount": "12.50"})
    return list(AuditEntry.objects.order_by("id"))


def _raw_update(entry_id, **fields):
    # A hand edit below the application, as a DBA with table access would do.
    table = AuditEntry._meta.db_table
    sets = ", ".join(f"{k} = %s" for k in fields)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*fields.values(), entry_id])


@pytest.mark.django_db
def test_it_chains_each_entry_to_the_previous(chain):
    for prev, entry in zip(chain, chain[1:], strict=False):
        assert entry.prev_hash == prev.hash
    head = AuditHead.objects.get()
    assert head.last_hash == chain[-1].hash and head.count == len(chain)


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
    AuditEntry.objects.filter(id=chain[2].id).delete()
    result = verify_chain()
    assert not result.ok and result.bad_id == chain[3].id


@pytest.mark.django_db
def test_it_detects_a_deleted_last_entry(chain):
    AuditEntry.objects.filter(id=chain[-1].id).delete()
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
    entry = AuditEntry.objects.filter(action="permission.denied").latest("id")
    assert entry.actor_username == "t_liandu" and entry.result == "denied" and "/system/users/" in entry.object_repr
