from django.core.management.base import BaseCommand

from laomo.reports.annual_template import write_default_template


class Command(BaseCommand):
    help = "写出年度工作总结的默认 Word 模板(可在 Word 中修改后通过 LAOMO_ANNUAL_REPORT_TEMPLATE 使用)"

    def add_arguments(self, parser):
        parser.add_argument("output", help="输出的 .docx 文件路径")

    def handle(self, *args, output, **options):
        write_default_template(output)
        self.stdout.write(f"已写出模板:{output}")
