from django.conf import settings
from django.core.management.base import BaseCommand

from laomo.core.jobs import job_files_purge


class Command(BaseCommand):
    help = "删除超过保留天数(LAOMO_JOB_FILE_DAYS)的任务文件(上传的名册、报告、导出),并标记相应任务的文件已过期。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help=f"保留天数,默认 LAOMO_JOB_FILE_DAYS({settings.LAOMO_JOB_FILE_DAYS})")

    def handle(self, *args, days, **options):
        if days is not None and days < 0:
            self.stderr.write("保留天数不能为负数。")
            raise SystemExit(2)
        result = job_files_purge(days=days)
        self.stdout.write(f"已删除 {result['files']} 个过期任务文件,{result['jobs']} 个任务的结果文件标记为已过期。")
