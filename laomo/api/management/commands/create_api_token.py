from django.core.management.base import BaseCommand, CommandError

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.orgs.models import User


class Command(BaseCommand):
    help = "为用户生成接口令牌;最后一行单独输出令牌。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在或已停用。")
        token, raw = api_token_create(actor=SYSTEM, user=user, name=name)
        self.stdout.write(f"已为 {user.username} 生成接口令牌(仅显示一次):")
        self.stdout.write(raw)
