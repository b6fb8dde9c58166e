import argparse
import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from laomo.core.aggregates import invalidate_all
from laomo.core.backup import RestoreRefused, restore_archive, verify_here


class Command(BaseCommand):
    help = ("从 manage.py backup 的归档恢复:先在临时位置校验密钥、审计日志和数据行数,全部通过后才替换"
            "数据库、密钥文件和附件。目标已有数据时需加 --force。请先停止 laomo。")
    requires_system_checks = []  # restoring is how wrong keys get fixed

    def add_arguments(self, parser):
        parser.add_argument("archive", nargs="?")
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时仍然覆盖")
        parser.add_argument("--verify-extracted", help=argparse.SUPPRESS)  # the checking child process

    def handle(self, *args, archive=None, force=False, verify_extracted=None, **options):
        if verify_extracted:
            problems = verify_here(Path(verify_extracted))
            self.stdout.write(json.dumps({"ok": not problems, "problems": problems}, ensure_ascii=False))
            return
        if not archive:
            self.stderr.write("请指定备份文件:manage.py restore ARCHIVE [--force]")
            raise SystemExit(2)
        try:
            manifest = restore_archive(Path(archive), force=force, log=self.stdout.write)
        except RestoreRefused as exc:
            self.stderr.write(f"恢复被拒绝,未做任何改动:{exc}")
            raise SystemExit(1) from None
        # Bring the restored database to this version's schema, with the restored keys (a new process:
        # this one still holds the keys it started with).
        result = subprocess.run([sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "migrate",
                                 "--noinput", "-v", "0"], cwd=settings.BASE_DIR)
        if result.returncode != 0:
            self.stderr.write("数据已恢复,但数据库迁移或密钥检查失败,请查看上面的信息。")
            raise SystemExit(1)
        invalidate_all()  # cached figures of the database that was replaced
        head = manifest["audit_head"]
        self.stdout.write(f"恢复完成:审计日志 {head['count']} 条,链头 {head['last_hash']}。"
                          "请重新启动 laomo。")
