"""Abuse protection of the public portal, offline: per-IP rate limits in Django's cache (LocMemCache by
default, Redis when the deployment configures it) and an arithmetic captcha signed with a timestamp."""

from __future__ import annotations

import hashlib
import secrets
import time

from django.core import signing
from django.core.cache import cache

from laomo.core.request_context import client_ip

SUBMIT_LIMIT = 5  # request submissions per IP per minute
LOOKUP_LIMIT = 30  # tracking-page lookups and ratings per IP per minute
WINDOW = 60
CAPTCHA_SALT = "laomo.portal.captcha"
CAPTCHA_MAX_AGE = 15 * 60
DIGITS = "零一二三四五六七八九"


def allow(request, bucket: str, limit: int, window: int = WINDOW) -> bool:
    """Count this attempt for the client's IP; False once the limit of the current window is passed."""
    ip = client_ip(request) or "unknown"
    key = f"portal:{bucket}:{ip}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window + 5):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count <= limit


def _digest(nonce: str, answer: str) -> str:
    return hashlib.sha256(f"{nonce}:{answer.strip()}".encode()).hexdigest()


def new_captcha() -> dict:
    """{'question': '三加五等于几?', 'token': signed}; the answer is never sent in the clear."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    op = secrets.choice(["加", "减", "乘"])
    if op == "减" and b > a:
        a, b = b, a
    answer = {"加": a + b, "减": a - b, "乘": a * b}[op]
    nonce = secrets.token_urlsafe(12)
    token = signing.dumps({"n": nonce, "h": _digest(nonce, str(answer))}, salt=CAPTCHA_SALT)
    return {"question": f"{DIGITS[a]}{op}{DIGITS[b]}等于几?(请填阿拉伯数字)", "token": token}


def check_captcha(token: str, answer: str) -> str | None:
    """None when right; otherwise the Chinese message. A token is good for one submission only."""
    if not (answer or "").strip():
        return "请填写验证题的答案。"
    try:
        data = signing.loads(token or "", salt=CAPTCHA_SALT, max_age=CAPTCHA_MAX_AGE)
    except signing.SignatureExpired:
        return "验证题已过期,请回答新的验证题。"
    except signing.BadSignature:
        return "验证题无效,请回答新的验证题。"
    if not secrets.compare_digest(data.get("h", ""), _digest(data.get("n", ""), answer)):
        return "验证题答案不正确。"
    if not cache.add(f"portal:captcha-used:{data.get('n')}", 1, timeout=CAPTCHA_MAX_AGE + 60):
        return "验证题已使用过,请回答新的验证题。"
    return None
