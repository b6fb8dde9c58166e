"""One-archive backup and a checked restore (`manage.py backup`, `manage.py restore`).

The archive (tar.gz, written 0600: it holds the keys) contains

    manifest.json        format, laomo version, time, engine, row counts, audit head, sha256 of every file
    database.sqlite3     SQLite: a consistent copy through the online backup API
    database.pgdump      PostgreSQL: `pg_dump -Fc`
    keys/<file>          the key files (a key given in the environment is not archived: the manifest
                         says so, and it must be kept separately)
    media/...            MEDIA_ROOT (uploaded attachments)

A restore extracts the archive to a temporary place and checks it there, in a child process whose
settings point at the extracted copy and keys (settings are read at import): the archived keys must
read the key-check value of the archived database, the audit chain must verify and match the
manifest's head, and the row counts must match. Only then are the database, the keys and the media
swapped in (SQLite: a temp file renamed over the old one; PostgreSQL: `pg_restore --clean` in one
transaction), the previous files kept beside them as `*.before-restore-<time>`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from . import keycheck
from .audit import verify_chain
from .models import AuditHead, KeyCheck

FORMAT = 1
# (environment variable, file name under VAR_DIR) of every secret settings.py reads with
# `secret_from_env_or_file`; a new secret there belongs here too.
KEYS = [
    ("SECRET_KEY", "secret_key"),
    ("LAOMO_PII_KEYS", "pii_keys"),
    ("LAOMO_BLIND_INDEX_KEY", "blind_index_key"),
    ("LAOMO_AUDIT_KEY", "audit_key"),
]


class RestoreRefused(Exception):
    """A check failed; the message (Chinese) says which. Nothing was swapped in."""


# --- what there is ---------------------------------------------------------------------------------------


def laomo_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as fh:
            return tomllib.load(fh)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def engine() -> str:
    name = settings.DATABASES["default"]["ENGINE"]
    if name.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in name:
        return "postgresql"
    raise RestoreRefused(f"不支持的数据库类型:{name}")


def key_path(name: str, filename: str) -> Path:
    return Path(os.environ.get(f"{name}_FILE") or Path(settings.VAR_DIR) / filename)


def key_from_environment(name: str) -> bool:
    return bool(os.environ.get(name))


def _laomo_tables() -> list[str]:
    tables = {
        model._meta.db_table
        for model in apps.get_models()
        if model.__module__.startswith("laomo.") and model._meta.managed and not model._meta.proxy
    }
    return sorted(tables)


def table_counts() -> dict[str, int]:
    """Row counts of every laomo table (raw SQL: independent of the model code's columns)."""
    existing = set(connection.introspection.table_names())
    qn = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in _laomo_tables():
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {qn(table)}")
                counts[table] = cursor.fetchone()[0]
    return counts


def audit_head() -> dict:
    """AuditHead's fields as stored (read only; the chain's hashing is `core.audit`'s business)."""
    head = AuditHead.objects.filter(id=1).values("last_hash", "last_id", "count").first()
    return head or {"last_hash": None, "last_id": 0, "count": 0}


def applied_migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _media_is_local() -> bool:
    return settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def target_is_empty() -> bool:
    """No accounts and no audit entries in the configured database (a fresh `migrate` is empty)."""
    try:
        existing = set(connection.introspection.table_names())
    except Exception:  # noqa: BLE001  (no database file yet)
        return True
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in ("orgs_user", "core_auditentry"):
            if table in existing:
                cursor.execute(f"SELECT 1 FROM {qn(table)} LIMIT 1")
                if cursor.fetchone():
                    return False
    return True


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- PostgreSQL tools ------------------------------------------------------------------------------------


def _pg_env(db: dict, name: str | None = None) -> dict:
    """libpq environment for a database of the settings (the password never on a command line)."""
    env = {**os.environ, "PGDATABASE": name or db["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _run(argv: list[str], env: dict | None = None) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RestoreRefused(f"{argv[0]} 执行失败:{result.stderr.strip()[-2000:]}")


# --- backup ----------------------------------------------------------------------------------------------


def backup_create(output: Path) -> dict:
    """Write the archive to `output` (0600) and return its manifest."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    kind = engine()
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".laomo-backup-") as tmp:
        root = Path(tmp)
        db = settings.DATABASES["default"]
        if kind == "sqlite":
            db_file = root / "database.sqlite3"
            source = sqlite3.connect(str(db["NAME"]))
            target = sqlite3.connect(str(db_file))
            try:
                source.backup(target)  # consistent while the app keeps writing
            finally:
                target.close()
                source.close()
        else:
            db_file = root / "database.pgdump"
            _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(db_file)], env=_pg_env(db))
        keys = {}
        (root / "keys").mkdir()
        for name, filename in KEYS:
            if key_from_environment(name):
                keys[name] = {"source": "environment", "note": f"{name} 来自环境变量,未写入备份,请另行妥善保管"}
            elif key_path(name, filename).exists():
                shutil.copyfile(key_path(name, filename), root / "keys" / filename)
                keys[name] = {"source": "file", "file": f"keys/{filename}"}
            else:
                keys[name] = {"source": "missing"}
        media = {"included": False}
        if _media_is_local():
            media_root = Path(settings.MEDIA_ROOT)
            if media_root.is_dir():
                shutil.copytree(media_root, root / "media", symlinks=False)
            else:
                (root / "media").mkdir()
            media = {"included": True}
        else:
            media = {"included": False, "note": "附件存放在对象存储中,请按对象存储的方式另行备份"}
        chain = verify_chain()
        manifest = {
            "format": FORMAT,
            "laomo_version": laomo_version(),
            "created_at": timezone.now().isoformat(),
            "engine": kind,
            "database_file": db_file.name,
            "migrations": applied_migrations(),
            "counts": table_counts(),
            "audit_head": audit_head(),
            "audit_verified": chain.ok,
            "keys": keys,
            "media": media,
            "files": {
                str(path.relative_to(root)): _sha256(path)
                for path in sorted(root.rglob("*")) if path.is_file()
            },
        }
        (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        partial = output.with_name(f".{output.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(root / "manifest.json", arcname="manifest.json")
            for name in sorted(manifest["files"]):
                tar.add(root / name, arcname=name, recursive=False)
        os.replace(partial, output)
    return manifest


# --- restore ---------------------------------------------------------------------------------------------


def _extract(archive: Path, into: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="data")  # no absolute paths, no links out, no devices
    except (OSError, tarfile.TarError) as exc:
        raise RestoreRefused(f"无法读取备份文件:{exc}") from exc
    try:
        manifest = json.loads((into / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise RestoreRefused("备份中缺少有效的 manifest.json") from exc
    if manifest.get("format") != FORMAT:
        raise RestoreRefused(f"不支持的备份格式:{manifest.get('format')}")
    for name, digest in manifest.get("files", {}).items():
        path = into / name
        if not path.is_file() or _sha256(path) != digest:
            raise RestoreRefused(f"备份文件已损坏或被改动:{name}")
    present = {str(p.relative_to(into)) for p in into.rglob("*") if p.is_file()} - {"manifest.json"}
    if present != set(manifest.get("files", {})):
        raise RestoreRefused("备份中有清单之外的文件")
    if manifest.get("database_file") not in manifest.get("files", {}):
        raise RestoreRefused("备份中缺少数据库文件")
    return manifest


def _child_env(root: Path, manifest: dict, database_url: str) -> dict:
    """Settings of the verifying child: the extracted database and the archived keys."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LAOMO_VAR_DIR")}
    env["DATABASE_URL"] = database_url
    env["LAOMO_VAR_DIR"] = str(root / "check-var")
    env["LAOMO_MEDIA_ROOT"] = str(root / "media")
    for name, _filename in KEYS:
        info = manifest["keys"].get(name, {})
        if info.get("source") == "file":
            env.pop(name, None)
            env[f"{name}_FILE"] = str(root / info["file"])
        elif info.get("source") == "missing":
            env.pop(name, None)
            env.pop(f"{name}_FILE", None)
    return env


def _verify_in_child(root: Path, manifest: dict, database_url: str) -> None:
    manage = Path(settings.BASE_DIR) / "manage.py"
    result = subprocess.run(
        [sys.executable, str(manage), "restore", "--verify-extracted", str(root)],
        env=_child_env(root, manifest, database_url), capture_output=True, text=True, cwd=settings.BASE_DIR,
    )
    try:
        verdict = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise RestoreRefused(f"备份校验进程异常退出:{result.stderr.strip()[-2000:]}") from None
    if not verdict.get("ok"):
        raise RestoreRefused("备份校验未通过:" + ";".join(verdict.get("problems", [])))


def verify_here(root: Path) -> list[str]:
    """Run in the child: is the database of these settings the archive's, readable with these keys?"""
    manifest = json.loads((Path(root) / "manifest.json").read_text())
    problems = []
    known = {f"{m.app_label}.{m.name}" for m in _migration_files()}
    unknown = sorted(set(applied_migrations()) - known)
    if unknown:
        problems.append(f"备份来自更新版本的 laomo(本版本没有这些数据库迁移:{', '.join(unknown[:5])}),请先升级程序")
    key_problems = keycheck.problems()
    if key_problems:
        problems.append("备份中的密钥无法解读备份数据库中的加密数据(" + "; ".join(key_problems) + ")")
    elif any(True for _ in keycheck._sample_tokens()) and not KeyCheck.objects.filter(id=1).exists():
        problems.append("备份数据库缺少密钥校验值")
    counts = table_counts()
    if counts != manifest["counts"]:
        diff = sorted(t for t in set(counts) | set(manifest["counts"]) if counts.get(t) != manifest["counts"].get(t))
        problems.append(f"数据行数与备份清单不符:{', '.join(diff[:10])}")
    if audit_head() != manifest["audit_head"]:
        problems.append("审计日志链头与备份清单不符")
    chain = verify_chain()
    if not chain.ok:
        problems.append(f"审计日志校验失败:id={chain.bad_id}:{chain.reason}")
    return problems


def _migration_files():
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(None, ignore_no_migrations=True).disk_migrations.values()


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M%S")


def _replace_file(source: Path, target: Path, stamp: str) -> None:
    """Put `source` at `target` atomically, keeping a differing old file as *.before-restore-<stamp>."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.restore-tmp")
    shutil.copyfile(source, staged)
    os.chmod(staged, 0o600)
    if target.exists():
        if target.read_bytes() == source.read_bytes():
            staged.unlink()
            return
        shutil.copy2(target, target.with_name(f"{target.name}.before-restore-{stamp}"))
    os.replace(staged, target)


def restore_archive(archive: Path, *, force: bool = False, log=print) -> dict:
    archive = Path(archive)
    kind = engine()
    if not force and not target_is_empty():
        raise RestoreRefused("目标数据库已有数据(账号或审计日志);确认要覆盖时请加 --force")
    db = settings.DATABASES["default"]
    work_parent = Path(db["NAME"]).parent if kind == "sqlite" else Path(settings.VAR_DIR)
    work_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_parent, prefix=".laomo-restore-") as tmp:
        root = Path(tmp)
        manifest = _extract(archive, root)
        log(f"备份:laomo {manifest.get('laomo_version')},{manifest.get('created_at')},{manifest.get('engine')}")
        if manifest["engine"] != kind:
            raise RestoreRefused(f"备份的数据库类型({manifest['engine']})与当前配置({kind})不同")
        for name, info in manifest["keys"].items():
            if info.get("source") == "environment" and not key_from_environment(name):
                raise RestoreRefused(f"备份时 {name} 来自环境变量,未包含在备份中;请先设置该环境变量再恢复")
        db_file = root / manifest["database_file"]
        check_db = None
        try:
            if kind == "sqlite":
                url = f"sqlite:///{db_file}"
            else:
                check_db = f"{db['NAME']}_restore_check_{os.getpid()}"
                _pg_create(db, check_db)
                _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-d", check_db,
                      str(db_file)], env=_pg_env(db, check_db))
                url = _pg_url(db, check_db)
            log("正在校验备份(密钥、审计日志、数据行数)……")
            _verify_in_child(root, manifest, url)
        finally:
            if check_db:
                _pg_drop(db, check_db)
        log("校验通过,正在恢复……")
        stamp = _stamp()
        connections.close_all()
        if kind == "sqlite":
            _swap_sqlite(db_file, Path(db["NAME"]), stamp)
        else:
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                  "--exit-on-error", "-d", db["NAME"], str(db_file)], env=_pg_env(db))
        for name, filename in KEYS:
            info = manifest["keys"].get(name, {})
            if info.get("source") == "file":
                _replace_file(root / info["file"], key_path(name, filename), stamp)
        if manifest.get("media", {}).get("included") and _media_is_local():
            _swap_dir(root / "media", Path(settings.MEDIA_ROOT), stamp)
    return manifest


def _swap_sqlite(source: Path, target: Path, stamp: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():  # keep the old database (consistent, through the backup API) beside it
        old = sqlite3.connect(str(target))
        keep = sqlite3.connect(str(target.with_name(f"{target.name}.before-restore-{stamp}")))
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            old.backup(keep)
        finally:
            keep.close()
            old.close()
    staged = target.with_name(f".{target.name}.restore-tmp")
    shutil.copyfile(source, staged)
    with open(staged, "rb") as fh:
        os.fsync(fh.fileno())
    for suffix in ("-wal", "-shm"):  # the old database's WAL must never be replayed into the new one
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(staged, target)


def _swap_dir(source: Path, target: Path, stamp: str) -> None:
    source.mkdir(exist_ok=True)  # an empty directory has no files in the archive
    if target.exists():
        if any(target.iterdir()):
            os.replace(target, target.with_name(f"{target.name}.before-restore-{stamp}"))
        else:
            target.rmdir()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), str(target))


def _pg_url(db: dict, name: str) -> str:
    from urllib.parse import quote

    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(str(db["PASSWORD"]), safe="")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{name}"


def _pg_admin(db: dict, sql: str) -> None:
    import psycopg

    params = {"dbname": "postgres", "user": db.get("USER") or None, "password": db.get("PASSWORD") or None,
              "host": db.get("HOST") or None, "port": db.get("PORT") or None}
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        conn.execute(sql)


def _pg_create(db: dict, name: str) -> None:
    _pg_drop(db, name)
    _pg_admin(db, f'CREATE DATABASE "{name}"')


def _pg_drop(db: dict, name: str) -> None:
    _pg_admin(db, f'DROP DATABASE IF EXISTS "{name}"')
