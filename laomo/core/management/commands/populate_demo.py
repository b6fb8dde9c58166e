from django.core.management.base import BaseCommand, CommandError

from laomo.core.demo import DemoRefused, populate


class Command(BaseCommand):
    help = "生成演示数据(确定性,经由业务服务写入);演示数据库已生成过时跳过,含其他业务数据的数据库一律拒绝。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument("--if-empty", action="store_true",
                            help="仅当数据库为空时生成(已是演示数据库则跳过;兼容旧用法,含业务数据时同样拒绝)")

    def handle(self, *args, seed, if_empty, **options):
        try:
            report = populate(seed=seed, if_empty=if_empty, stdout=self.stdout)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        for line in report:
            self.stdout.write(line)
