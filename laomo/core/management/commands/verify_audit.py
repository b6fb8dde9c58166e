from django.core.management.base import BaseCommand

from laomo.core.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链;完整时退出码 0,否则 1 并指出第一条异常记录。"

    def handle(self, *args, **options):
        result = verify_chain()
        if result.ok:
            self.stdout.write(f"审计日志完整:共校验 {result.checked} 条。")
            return
        self.stderr.write(f"审计日志校验失败:第一条异常记录 id={result.bad_id}:{result.reason}"
                          f"(之前 {result.checked} 条正常)")
        raise SystemExit(1)
