from django.core.management.base import BaseCommand

from laomo.core.demo import populate


class Command(BaseCommand):
    help = "生成演示数据(确定性,经由业务服务写入);数据库已有演示数据时跳过。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument("--if-empty", action="store_true", help="仅当数据库中还没有用户时生成")

    def handle(self, *args, seed, if_empty, **options):
        report = populate(seed=seed, if_empty=if_empty, stdout=self.stdout)
        for line in report:
            self.stdout.write(line)
