import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from laomo.core.actors import SYSTEM
from laomo.orgs.selectors import org_get_by_code, org_root
from laomo.workers.importer import roster_import


class Command(BaseCommand):
    help = "导入劳模名册(.xlsx/.xls/.csv):import_roster PATH [--org CODE] [--dry-run] [--report OUT.xlsx] [--json]"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--org", help="导入单位代码(默认为组织树顶层);各行按所属地区归入其下单位")
        parser.add_argument("--dry-run", action="store_true", help="只预检,不写入")
        parser.add_argument("--report", help="把原表加错误信息列写入此 .xlsx 文件")
        parser.add_argument("--json", action="store_true", help="最后一行输出 JSON 汇总")

    def handle(self, *args, path, org, dry_run, report, json: bool, **options):
        unit = org_get_by_code(org) if org else org_root()
        if unit is None:
            raise CommandError(f"组织代码 {org} 不存在。")
        try:
            result = roster_import(actor=SYSTEM, source=path, filename=path, org=unit, dry_run=dry_run,
                                   report_path=report)
        except OSError as exc:
            raise CommandError(f"无法读取文件:{exc}") from exc
        if result.file_error:
            raise CommandError(result.file_error)
        for row, messages in sorted(result.errors_by_row.items()):
            self.stdout.write(f"第{row}行 错误:{';'.join(messages)}")
        for row, messages in sorted(result.warnings_by_row.items()):
            self.stdout.write(f"第{row}行 提示:{';'.join(messages)}")
        s = result.summary()
        self.stdout.write(
            f"{'预检' if dry_run else '导入'}完成:数据行 {s['rows']},新增劳模 {s['created_workers']},"
            f"更新劳模 {s['updated_workers']},新增荣誉 {s['created_honors']},错误行 {s['rejected_rows']},"
            f"提示 {s['warnings']}"
        )
        if json:
            self.stdout.write(jsonlib.dumps(s, ensure_ascii=False))
