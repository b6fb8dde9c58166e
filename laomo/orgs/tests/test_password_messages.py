"""Password rules speak Chinese on every path: the forms, `manage.py create_user`, any active language.

Django's Chinese catalogue lacks the plural of the length message, so "This password is too short.
It must contain at least 10 characters." reached clerks in English.
"""

import io
import re

import pytest
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from conftest import PASSWORD
from laomo.core.actors import SYSTEM
from laomo.orgs import services
from laomo.orgs.models import User

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
# One password per rule: too short, too common, all digits, too like the username, too simple.
BREAKERS = ["Ab1!", "password123", "83920174659", "zhangsan.lishui", "abcdefghijkl"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_words_every_rule_in_chinese(language):
    user = User(username="zhangsan.lishui", full_name="张三")
    seen = set()
    with translation.override(language):
        for password in BREAKERS:
            with pytest.raises(ValidationError) as caught:
                validate_password(password, user)
            for message in caught.value.messages:
                assert not LATIN_WORD.search(message), message
                seen.add(message)
        for validator in get_default_password_validators():
            help_text = str(validator.get_help_text())
            assert not LATIN_WORD.search(help_text), help_text
    assert "密码太短,至少需要 10 个字符。" in seen
    assert "密码与用户名过于相似。" in seen
    assert {"密码过于常见,请换一个。", "密码不能全是数字。"} <= seen


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_refuses_a_short_password_in_chinese_on_the_command_line(orgs, monkeypatch, language):
    monkeypatch.setattr("sys.stdin", io.StringIO("Ab1!x\n"))
    with translation.override(language), pytest.raises(CommandError) as caught:
        call_command("create_user", "shorty", "--role", "viewer", "--org", "331100", "--password-stdin")
    assert "密码太短,至少需要 10 个字符。" in str(caught.value)
    assert not LATIN_WORD.search(str(caught.value)), str(caught.value)


@pytest.mark.django_db
def test_it_refuses_a_short_password_in_chinese_on_the_change_form(orgs, users):
    user, temp = services.user_create(actor=SYSTEM, username="newbie", org=orgs["331102"], roles=["county_staff"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.post("/accounts/login/", {"username": "newbie", "password": temp})
    page = client.post("/accounts/password/change/", {"old_password": temp, "new_password1": "Ab1!x",
                                                      "new_password2": "Ab1!x"}).content.decode()
    assert "密码太短,至少需要 10 个字符。" in page
    assert "This password" not in page and "too short" not in page
    assert PASSWORD  # the shared test password still satisfies every rule
    validate_password(PASSWORD)
