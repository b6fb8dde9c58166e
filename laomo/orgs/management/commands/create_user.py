import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from laomo.core.actors import SYSTEM
from laomo.orgs.roles import Role
from laomo.orgs.selectors import org_get_by_code
from laomo.orgs.services import user_create


class Command(BaseCommand):
    help = "创建用户:create_user USERNAME --role ROLE --org CODE [--password-stdin]"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, action="append", choices=Role.values,
                            help="角色代码,可重复以授予多个角色")
        parser.add_argument("--org", required=True, help="所属组织代码,如 331102")
        parser.add_argument("--full-name", default="", help="姓名")
        parser.add_argument("--title", default="", help="职务,如 办公室主任(出具证明时随姓名署名)")
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")

    def handle(self, *args, username, role, org, full_name, title, password_stdin, **options):
        unit = org_get_by_code(org)
        if unit is None:
            raise CommandError(f"组织代码 {org} 不存在。")
        password = sys.stdin.readline().rstrip("\n") if password_stdin else None
        try:
            user, password_used = user_create(
                actor=SYSTEM, username=username, org=unit, roles=role, full_name=full_name, title=title,
                password=password,
                must_change_password=not password_stdin,
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已创建用户 {user.username}({user.role_labels},{unit.name})")
        if not password_stdin:
            self.stdout.write(f"临时密码:{password_used}(首次登录须修改)")
