from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from laomo.core import keycheck
from laomo.core.backup import RestoreRefused, backup_create


class Command(BaseCommand):
    help = "备份为一个归档文件(tar.gz):数据库、密钥文件、附件和清单(manifest.json)。"
    requires_system_checks = []  # a backup is still wanted when something else is wrong

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="归档文件路径,默认 var/backups/laomo-<时间>.tar.gz")

    def handle(self, *args, output=None, **options):
        if output is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = Path(settings.VAR_DIR) / "backups" / f"laomo-{stamp}.tar.gz"
        problems = keycheck.problems()
        if problems:
            self.stderr.write("警告:当前密钥无法解读数据库中的加密数据,这份备份恢复后将无法使用:" + "; ".join(problems))
        try:
            manifest = backup_create(Path(output))
        except RestoreRefused as exc:
            self.stderr.write(f"备份失败:{exc}")
            raise SystemExit(1) from None
        head = manifest["audit_head"]
        self.stdout.write(f"数据库:{manifest['engine']},{sum(manifest['counts'].values())} 行")
        self.stdout.write(f"审计日志:{head['count']} 条,链头 {head['last_hash']}")
        if not manifest["audit_verified"]:
            self.stderr.write("警告:审计日志校验未通过(manage.py verify_audit 查看详情),这份备份恢复时会被拒绝。")
        for name, info in manifest["keys"].items():
            if info["source"] == "environment":
                self.stdout.write(f"注意:{name} 来自环境变量,未写入备份,请另行妥善保管。")
            elif info["source"] == "missing":
                self.stderr.write(f"警告:找不到 {name} 的密钥文件。")
        if not manifest["media"]["included"]:
            self.stdout.write(f"注意:{manifest['media'].get('note', '附件未包含在备份中')}")
        self.stdout.write(f"备份完成:{output}(含密钥,请妥善保管,勿与他人共享)")
