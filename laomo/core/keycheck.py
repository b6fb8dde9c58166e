"""Keys checked at start: refuse to run with keys that cannot read this database's PII.

`settings.py` generates a missing key file silently (the first start of a laptop install). A database
restored without its key files would then run with fresh keys and answer 500 on every page that
decrypts. The `KeyCheck` row holds a known constant encrypted under the PII keys and its blind-index
HMAC; it is written once the keys are known to fit (after `migrate`, or at the first check), and every
start compares. A database that has encrypted data but no `KeyCheck` row yet (an install older than
the check) is verified by decrypting one stored value per encrypted column.

The check runs as a Django system check (`manage.py check`, `runserver`, every management command that
runs checks, e.g. `run_huey`) and from `laomo/wsgi.py` (gunicorn does not run system checks).
"""

from __future__ import annotations

import hmac

from django.apps import apps
from django.core import checks
from django.db import DatabaseError, connection

from . import pii
from .models import KEY_CHECK_PLAINTEXT, KeyCheck

MESSAGE = (
    "密钥与数据库不匹配:当前的个人信息加密密钥(LAOMO_PII_KEYS)或盲索引密钥(LAOMO_BLIND_INDEX_KEY)"
    "无法解读数据库中已有的加密数据。若数据库是从备份恢复的,请一并恢复备份中的密钥文件"
    "(var/pii_keys、var/blind_index_key 或对应的环境变量),不要使用新生成的密钥。laomo 拒绝启动。\n"
    "Key mismatch: the configured PII key (LAOMO_PII_KEYS) or blind-index key (LAOMO_BLIND_INDEX_KEY) "
    "cannot read the encrypted data already in the database. If the database was restored from a backup, "
    "restore its key files too instead of using newly generated keys. laomo refuses to start."
)


class KeyMismatch(Exception):
    pass


def _expected_blind() -> str:
    return pii.blind_index(KEY_CHECK_PLAINTEXT, purpose="keycheck")


def _encrypted_columns():
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, pii.EncryptedTextField):
                yield model._meta.db_table, field.column


def _sample_tokens():
    """One stored ciphertext per encrypted column that holds any (raw SQL: no decryption on read)."""
    qn = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, column in _encrypted_columns():
            if table not in existing:
                continue
            cursor.execute(
                f"SELECT {qn(column)} FROM {qn(table)} WHERE {qn(column)} IS NOT NULL AND {qn(column)} <> '' "
                f"LIMIT 1"
            )
            row = cursor.fetchone()
            if row:
                yield table, column, row[0]


def problems() -> list[str]:
    """What is wrong with the keys for this database ([] when they fit or there is nothing to read)."""
    tables = set(connection.introspection.table_names())
    row = KeyCheck.objects.filter(id=1).first() if KeyCheck._meta.db_table in tables else None
    found = []
    if row is not None:
        try:
            if pii.decrypt(row.pii_token) != KEY_CHECK_PLAINTEXT:
                found.append("PII key check value does not match")
        except ValueError:
            found.append("PII keys cannot decrypt the key check value")
        if not hmac.compare_digest(row.blind_hmac, _expected_blind()):
            found.append("blind-index key differs from the one this database was written with")
        return found
    for table, column, token in _sample_tokens():
        try:
            pii.decrypt(token)
        except ValueError:
            found.append(f"PII keys cannot decrypt {table}.{column}")
    return found


def ensure_key_check() -> bool:
    """Write the key-check row when it is missing and the keys fit the data (True when written)."""
    if KeyCheck._meta.db_table not in connection.introspection.table_names():
        return False
    if KeyCheck.objects.filter(id=1).exists() or problems():
        return False
    _, created = KeyCheck.objects.get_or_create(
        id=1, defaults={"pii_token": pii.encrypt(KEY_CHECK_PLAINTEXT), "blind_hmac": _expected_blind()}
    )
    return created


def rotate_key_check() -> None:
    """Re-encrypt the key-check value under the first PII key (part of `rotate_pii_keys`)."""
    row = KeyCheck.objects.filter(id=1).first()
    if row is not None:
        KeyCheck.objects.filter(id=1).update(pii_token=pii.rotate(row.pii_token))


def assert_keys() -> None:
    """Raise KeyMismatch (with the bilingual message) when the keys do not fit the database."""
    try:
        found = problems()
        if not found:
            ensure_key_check()
    except DatabaseError:
        return  # an unreachable database is /healthz's business, not the key check's
    if found:
        raise KeyMismatch(MESSAGE + "\n(" + "; ".join(found) + ")")


@checks.register("laomo_keys")
def check_keys(app_configs=None, **kwargs):
    try:
        assert_keys()
    except KeyMismatch as exc:
        return [checks.Critical(str(exc), id="laomo.E001")]
    return []


def on_post_migrate(sender, using="default", **kwargs):
    """After `migrate`: stamp the keys of a new (or newly upgraded) database."""
    if sender.name != "laomo.core" or using != "default":
        return
    try:
        ensure_key_check()
    except DatabaseError:
        pass
