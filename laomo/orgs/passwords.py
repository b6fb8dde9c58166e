import re

from django.conf import settings
from django.core.exceptions import ValidationError

_CLASSES = [re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]")]


class CharacterClassValidator:
    """At least 3 of 4 character classes (lower, upper, digit, symbol); switchable per deployment."""

    def validate(self, password, user=None):
        if not settings.LAOMO_PASSWORD_COMPLEXITY:
            return
        if sum(1 for rx in _CLASSES if rx.search(password)) < 3:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少三类。", code="password_too_simple"
            )

    def get_help_text(self):
        if not settings.LAOMO_PASSWORD_COMPLEXITY:
            return ""
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类。"
