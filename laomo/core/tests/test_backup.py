"""manage.py backup / restore: one archive restored into an empty place gives back the same data, keys
and audit head; an archive with a wrong key or an edited audit row is refused before anything is swapped.

Settings (VAR_DIR, database, keys) are read at import, so each instance is a `manage.py` subprocess with
its own LAOMO_VAR_DIR (and, for PostgreSQL, its own DATABASE_URL).
"""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from laomo.core.backup import _sha256

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.heavy  # a dozen Django processes and migrations: CI runs it once

POPULATE = """
from pathlib import Path
from django.conf import settings
from laomo.core.actors import SYSTEM
from laomo.orgs.models import OrgUnit
from laomo.workers.services import worker_create
for i, number in enumerate(["331102196503120016", "331126197001010015", "331102198001010019"]):
    worker_create(actor=SYSTEM, org=OrgUnit.objects.get(code="331102"), name=f"劳模{i}", id_number=number)
media = Path(settings.MEDIA_ROOT) / "honors"
media.mkdir(parents=True, exist_ok=True)
(media / "证书.txt").write_text("证书扫描件")
"""

SNAPSHOT = """
import json
from pathlib import Path
from django.conf import settings
from laomo.core.audit import verify_chain
from laomo.core.backup import audit_head, table_counts
from laomo.workers.models import Worker
from laomo.core.actors import SYSTEM
print(json.dumps({
    "counts": table_counts(), "head": audit_head(), "chain_ok": verify_chain().ok,
    "ids": sorted(w.id_number for w in Worker.objects.all()),
    "media": (Path(settings.MEDIA_ROOT) / "honors" / "证书.txt").read_text(),
}))
"""


def manage(env: dict, *args, check=True):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)}: {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def instance_env(var_dir: Path, database_url: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LAOMO_", "DATABASE_URL", "SECRET_KEY", "REDIS_URL"))}
    env["LAOMO_VAR_DIR"] = str(var_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def snapshot(env) -> dict:
    return json.loads(manage(env, "shell", "-c", SNAPSHOT).stdout.strip().splitlines()[-1])


def rewrite_archive(source: Path, target: Path, edit) -> None:
    """Unpack, let `edit(dir)` change files, fix the manifest's checksums (a consistent forgery), repack."""
    work = target.with_suffix(".d")
    with tarfile.open(source) as tar:
        tar.extractall(work, filter="data")
    edit(work)
    manifest = json.loads((work / "manifest.json").read_text())
    manifest["files"] = {name: _sha256(work / name) for name in manifest["files"]}
    (work / "manifest.json").write_text(json.dumps(manifest))
    with tarfile.open(target, "w:gz") as tar:
        for name in ["manifest.json", *manifest["files"]]:
            tar.add(work / name, arcname=name)
    shutil.rmtree(work)


@pytest.fixture(scope="module")
def sqlite_backup(tmp_path_factory):
    base = tmp_path_factory.mktemp("backup")
    env = instance_env(base / "src")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "shell", "-c", POPULATE)
    archive = base / "laomo.tar.gz"
    out = manage(env, "backup", "--output", str(archive)).stdout
    assert "备份完成" in out
    return base, archive, snapshot(env)


def test_it_restores_a_backup_into_an_empty_place(sqlite_backup, tmp_path):
    _, archive, before = sqlite_backup
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # it holds the keys
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {"manifest.json", "database.sqlite3", "keys/pii_keys", "keys/blind_index_key",
            "media/honors/证书.txt"} <= names
    assert manifest["engine"] == "sqlite" and manifest["audit_head"] == before["head"]
    assert manifest["counts"]["workers_worker"] == 3 and manifest["audit_verified"] is True

    env = instance_env(tmp_path / "dst")
    out = manage(env, "restore", str(archive)).stdout
    assert "恢复完成" in out
    after = snapshot(env)
    assert after["ids"] == before["ids"] == sorted(["331102196503120016", "331126197001010015",
                                                    "331102198001010019"])
    assert after["counts"] == before["counts"] and after["head"] == before["head"] and after["chain_ok"]
    assert after["media"] == "证书扫描件"
    assert manage(env, "check").returncode == 0  # the restored keys fit the restored data

    refused = manage(env, "restore", str(archive), check=False)  # now it is not empty
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert "恢复完成" in manage(env, "restore", str(archive), "--force").stdout


def _refused_and_untouched(archive: Path, tmp_path: Path) -> str:
    env = instance_env(tmp_path / "dst")
    manage(env, "shell", "-c", "pass")  # settings generate this place's own keys
    keys_before = (tmp_path / "dst" / "pii_keys").read_bytes()
    result = manage(env, "restore", str(archive), check=False)
    assert result.returncode == 1, result.stdout
    assert "恢复被拒绝,未做任何改动" in result.stderr
    assert (tmp_path / "dst" / "pii_keys").read_bytes() == keys_before
    assert snapshot_counts(env).get("workers_worker", 0) == 0
    return result.stderr


def snapshot_counts(env) -> dict:
    code = "import json; from laomo.core.backup import table_counts; print(json.dumps(table_counts()))"
    return json.loads(manage(env, "shell", "-c", code).stdout.strip().splitlines()[-1])


def test_it_refuses_an_archive_with_a_wrong_key(sqlite_backup, tmp_path):
    _, archive, _ = sqlite_backup
    forged = tmp_path / "wrong-key.tar.gz"
    rewrite_archive(archive, forged, lambda d: (d / "keys" / "pii_keys").write_text(Fernet.generate_key().decode()))
    assert "密钥无法解读" in _refused_and_untouched(forged, tmp_path)


def test_it_refuses_an_archive_with_an_edited_audit_row(sqlite_backup, tmp_path):
    _, archive, _ = sqlite_backup

    def edit(d):
        db = sqlite3.connect(d / "database.sqlite3")
        db.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")  # whatever guards a live database
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
            db.execute(f'DROP TRIGGER "{name}"')
        db.execute("UPDATE core_auditentry SET object_repr = 'someone else' WHERE id = "
                   "(SELECT MIN(id) FROM core_auditentry)")
        db.commit()
        db.close()

    forged = tmp_path / "edited-audit.tar.gz"
    rewrite_archive(archive, forged, edit)
    assert "审计日志校验失败" in _refused_and_untouched(forged, tmp_path)


def test_it_refuses_a_corrupted_archive(sqlite_backup, tmp_path):
    _, archive, _ = sqlite_backup
    work = tmp_path / "x"
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    (work / "keys" / "pii_keys").write_text(Fernet.generate_key().decode())  # checksum left as it was
    corrupted = tmp_path / "corrupted.tar.gz"
    with tarfile.open(corrupted, "w:gz") as tar:
        for path in sorted(work.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=str(path.relative_to(work)))
    assert "已损坏或被改动" in _refused_and_untouched(corrupted, tmp_path)
    not_an_archive = tmp_path / "x.tar.gz"
    not_an_archive.write_bytes(io.BytesIO(b"junk").read())
    assert "无法读取备份文件" in _refused_and_untouched(not_an_archive, tmp_path / "again")


def _pg_reachable() -> str | None:
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        return "pg_dump/pg_restore not installed"
    base = os.environ.get("LAOMO_BACKUP_TEST_PG", "postgres://postgres@127.0.0.1:5432")
    try:
        import psycopg

        with psycopg.connect(f"{base}/postgres", connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001
        return f"no PostgreSQL server at {base}: {exc}"


def test_it_backs_up_and_restores_postgresql(tmp_path):
    reason = _pg_reachable()
    if reason:
        pytest.skip(reason)
    import psycopg

    base = os.environ.get("LAOMO_BACKUP_TEST_PG", "postgres://postgres@127.0.0.1:5432")
    suffix = uuid.uuid4().hex[:8]
    src_db, dst_db = f"laomo_bk_src_{suffix}", f"laomo_bk_dst_{suffix}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{src_db}"')
        conn.execute(f'CREATE DATABASE "{dst_db}"')
    try:
        src = instance_env(tmp_path / "src", f"{base}/{src_db}")
        manage(src, "migrate", "--noinput", "-v", "0")
        manage(src, "shell", "-c", POPULATE)
        before = snapshot(src)
        archive = tmp_path / "pg.tar.gz"
        manage(src, "backup", "-o", str(archive))
        with tarfile.open(archive) as tar:
            assert "database.pgdump" in tar.getnames()

        dst = instance_env(tmp_path / "dst", f"{base}/{dst_db}")
        manage(dst, "migrate", "--noinput", "-v", "0")  # an empty, migrated target
        assert "恢复完成" in manage(dst, "restore", str(archive)).stdout
        after = snapshot(dst)
        assert after["ids"] == before["ids"] and after["counts"] == before["counts"]
        assert after["head"] == before["head"] and after["chain_ok"] and after["media"] == "证书扫描件"

        forged = tmp_path / "pg-wrong-key.tar.gz"
        rewrite_archive(archive, forged,
                        lambda d: (d / "keys" / "pii_keys").write_text(Fernet.generate_key().decode()))
        refused = manage(dst, "restore", str(forged), "--force", check=False)
        assert refused.returncode == 1 and "密钥无法解读" in refused.stderr
        assert snapshot(dst)["ids"] == before["ids"]
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            for name in (src_db, dst_db):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
