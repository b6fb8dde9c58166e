from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from laomo.core import audit, pii
from laomo.core.keycheck import rotate_key_check


class Command(BaseCommand):
    help = "用 LAOMO_PII_KEYS 的第一个密钥重新加密所有个人敏感信息字段(密钥轮换)。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args, batch, **options):
        total = 0
        for model in apps.get_models():
            names = [f.attname for f in model._meta.concrete_fields if isinstance(f, pii.EncryptedTextField)]
            if not names:
                continue
            last_pk = None
            while True:
                qs = model._base_manager.order_by("pk")
                if last_pk is not None:
                    qs = qs.filter(pk__gt=last_pk)
                rows = list(qs.values_list("pk", *names)[:batch])  # decrypted with whichever key fits
                if not rows:
                    break
                with transaction.atomic():
                    for pk, *values in rows:
                        # Writing the plaintext back encrypts it under the first (newest) key.
                        model._base_manager.filter(pk=pk).update(**dict(zip(names, values, strict=True)))
                total += len(rows)
                last_pk = rows[-1][0]
            self.stdout.write(f"{model._meta.label}:已重新加密")
        rotate_key_check()  # the start-up key check must keep passing once the old key is dropped
        audit.record(action="core.pii.rotate_keys", username="manage.py", object_type="pii", changes={"records": total})
        self.stdout.write(f"完成,共重新加密 {total} 条记录。")
