"""Encryption at rest for personal information, and a keyed blind index for exact lookup.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under `LAOMO_PII_KEYS`; the first
key encrypts, every key decrypts, so a key is rotated by putting a new one first and running
`manage.py rotate_pii_keys`. The blind index is HMAC-SHA256 under a separate key over the
normalized value, so equal values can be found and de-duplicated without decrypting.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.LAOMO_PII_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


class Ciphertext(str):
    """A value `encrypted()` already turned into ciphertext: an EncryptedTextField stores it as it is.

    Lets a bulk writer (the roster import) encrypt before it opens its write transaction instead of
    inside it, in `get_prep_value`. Make one only with `encrypted()`: a Ciphertext holding plaintext
    would be stored unencrypted and then fail to decrypt.
    """

    __slots__ = ()


def encrypted(value: str) -> Ciphertext | str:
    """The ciphertext of `value`, marked as such ('' stays '')."""
    return Ciphertext(encrypt(value)) if value else value


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:  # wrong key: never return ciphertext as if it were data
        raise ValueError("个人信息解密失败:密钥不匹配") from exc


def rotate(token: str) -> str:
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed HMAC of a normalized value; `purpose` separates e.g. ID numbers from phones."""
    key = settings.LAOMO_BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; reads return plaintext, '' stays ''.

    It cannot be filtered on (use the blind index instead).
    """

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        if isinstance(value, Ciphertext):  # encrypted ahead of the write (see Ciphertext)
            return str(value)
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull", "exact"):
            return None
        return super().get_lookup(lookup_name)
