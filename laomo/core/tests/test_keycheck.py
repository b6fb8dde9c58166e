"""Keys checked at start (finding 7): a database restored without its key files must refuse to start
instead of answering 500 on every page that decrypts."""

import pytest
from cryptography.fernet import Fernet
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from laomo.core import keycheck
from laomo.core.actors import SYSTEM
from laomo.core.models import KeyCheck
from laomo.workers.services import worker_create

OTHER_PII = [Fernet.generate_key().decode()]
OTHER_BLIND = "0" * 64


@pytest.fixture
def org_tree(transactional_db):
    """The org tree the migrations seed: an earlier transactional test's flush may have emptied it."""
    import importlib

    from django.apps import apps as django_apps

    importlib.import_module("laomo.orgs.migrations.0002_seed_org_tree").seed(django_apps, None)


@pytest.fixture
def populated(orgs):
    worker = worker_create(actor=SYSTEM, org=orgs["331102"], name="张三", id_number="331102196503120016")
    keycheck.ensure_key_check()  # normally stamped after migrate; a flushed test database may lack it
    return worker


def errors():
    return [m for m in checks.run_checks(tags=["laomo_keys"]) if m.level >= checks.ERROR]


@pytest.mark.django_db
def test_it_passes_with_the_keys_the_data_was_written_with(populated):
    assert KeyCheck.objects.filter(id=1).exists()
    assert keycheck.problems() == [] and errors() == []


@pytest.mark.django_db
def test_it_refuses_other_pii_keys_with_a_clear_message(populated, settings):
    settings.LAOMO_PII_KEYS = OTHER_PII  # e.g. a key file generated anew after a restore
    found = errors()
    assert len(found) == 1 and found[0].id == "laomo.E001"
    assert "密钥与数据库不匹配" in found[0].msg and "Key mismatch" in found[0].msg
    assert "laomo 拒绝启动" in found[0].msg
    with pytest.raises(keycheck.KeyMismatch):
        keycheck.assert_keys()
    with pytest.raises(SystemCheckError):
        call_command("check")


@pytest.mark.django_db
def test_it_refuses_another_blind_index_key(populated, settings):
    settings.LAOMO_BLIND_INDEX_KEY = OTHER_BLIND
    assert "blind-index key" in keycheck.problems()[0]
    with pytest.raises(keycheck.KeyMismatch):
        keycheck.assert_keys()


@pytest.mark.django_db
def test_it_checks_the_data_itself_when_the_key_check_row_is_missing(populated, settings):
    KeyCheck.objects.all().delete()  # a database from before the check existed
    settings.LAOMO_PII_KEYS = OTHER_PII
    assert any("workers_worker" in p for p in keycheck.problems())
    assert not KeyCheck.objects.exists()  # never stamps keys that cannot read the data


@pytest.mark.django_db
def test_it_stamps_a_fresh_empty_database_with_any_keys(settings):
    KeyCheck.objects.all().delete()
    settings.LAOMO_PII_KEYS = OTHER_PII
    settings.LAOMO_BLIND_INDEX_KEY = OTHER_BLIND
    keycheck.assert_keys()  # nothing encrypted yet: these keys become the database's keys
    assert KeyCheck.objects.filter(id=1).exists()
    settings.LAOMO_PII_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(keycheck.KeyMismatch):
        keycheck.assert_keys()


@pytest.mark.django_db
def test_it_keeps_passing_after_a_key_rotation(populated, settings):
    new = Fernet.generate_key().decode()
    settings.LAOMO_PII_KEYS = [new, *settings.LAOMO_PII_KEYS]
    call_command("rotate_pii_keys")
    settings.LAOMO_PII_KEYS = [new]  # the old key dropped
    assert keycheck.problems() == []


@pytest.mark.django_db
def test_it_stamps_the_keys_after_migrate():
    from django.apps import apps

    KeyCheck.objects.all().delete()
    keycheck.on_post_migrate(sender=apps.get_app_config("core"))
    assert KeyCheck.objects.filter(id=1).exists()


@pytest.mark.django_db(transaction=True)  # wsgi.py closes the connections it used
def test_it_refuses_to_serve_from_wsgi_with_other_keys(org_tree, populated, settings):
    import runpy

    runpy.run_module("laomo.wsgi")  # the right keys: gunicorn boots
    settings.LAOMO_PII_KEYS = OTHER_PII
    with pytest.raises(keycheck.KeyMismatch, match="密钥与数据库不匹配"):
        runpy.run_module("laomo.wsgi")
