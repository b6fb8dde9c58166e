import re

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation

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


# Django's validators speak the active language, and Django's Chinese catalogue lacks the plural of
# the length message ("This password is too short..."): these say it in Chinese on every path — the
# forms, the API, `manage.py create_user` — whatever language is active.


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return f"密码太短,至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def validate(self, password, user=None):
        with translation.override("zh-hans"):  # the field's verbose name, e.g. 用户名
            super().validate(password, user)

    def get_error_message(self):
        return "密码与%(verbose_name)s过于相似。"

    def get_help_text(self):
        return "密码不能与用户名、姓名等个人信息过于相似。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return "密码过于常见,请换一个。"

    def get_help_text(self):
        return "密码不能是常见密码。"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return "密码不能全是数字。"

    def get_help_text(self):
        return "密码不能全是数字。"
