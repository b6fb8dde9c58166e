from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from laomo.core.aggregates import invalidate_all
from laomo.core.demo import DemoRefused, populate
from laomo.core.golive import is_demo_database
from laomo.orgs.models import OrgUnit, User
from laomo.workers.models import Worker

# The first administrators of a go-live start: (role, suggested username, what the account is for).
FIRST_ACCOUNTS = [
    ("sysadmin", "sysadmin", "系统管理员:单位、用户账号"),
    ("secadmin", "secadmin", "安全管理员:角色、锁定、密钥"),
    ("auditor", "auditor", "审计管理员:查阅审计日志"),
    ("city_staff", "city", "市级业务管理员:数据字典、导入、业务"),
]


class Command(BaseCommand):
    help = ("`make run` 启动前的准备:LAOMO_DEMO=1 时生成演示数据(仅限演示数据库);"
            "正式环境(LAOMO_DEMO=0)绝不写入演示数据,并提示如何创建首批管理员。")

    def handle(self, *args, **options):
        # A start (after a deploy) never serves figures or report fragments the code before it cached: the
        # shared cache outlives the processes, and its keys hold the data version, not the code's.
        invalidate_all()
        db = settings.DATABASES["default"]
        where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db.get('HOST') or 'localhost'}/{db['NAME']}"
        if settings.LAOMO_DEMO:
            self.stdout.write(f"演示环境:数据库 {where}")
            try:
                for line in populate(if_empty=True, stdout=self.stdout):
                    self.stdout.write(line)
            except DemoRefused as exc:
                raise CommandError(str(exc)) from exc
            return
        if is_demo_database():
            raise CommandError(
                f"数据库 {where} 装有演示数据,不能作为正式环境启动。演示请用 `make run`;"
                "正式环境请使用新的空数据库(例如把该文件移走后重新执行 `make golive`)。")
        self._golive_summary(where)

    def _golive_summary(self, where):
        self.stdout.write(f"正式环境(不含演示数据):数据库 {where}")
        self.stdout.write(f"  单位 {OrgUnit.objects.count()} 个,用户 {User.objects.count()} 个,"
                          f"劳模 {Worker.objects.count()} 名。")
        active = User.objects.filter(is_active=True)
        missing = [a for a in FIRST_ACCOUNTS if not active.filter(groups__name=a[0]).exists()]
        if missing:
            self.stdout.write("  请先创建首批管理员账号(三员分立:系统、安全、审计管理员须为三个不同的人),"
                              "密码从标准输入读取:")
            for role, username, purpose in missing:
                self.stdout.write(f"    # {purpose}")
                self.stdout.write(f"    .venv/bin/python manage.py create_user {username} --role {role} "
                                  f"--org 331100 --full-name 姓名 --title 职务 --password-stdin")
            self.stdout.write("  三员账号首次登录时须用手机验证器绑定动态验证码。")
        self.stdout.write("  市级业务管理员登录后,工作台的“上线清单”依次引导:单位、用户、数据字典、导入劳模名册。")
