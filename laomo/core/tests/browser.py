"""Helpers for the Playwright browser tests: Debian chromium, an outside-request guard, TOTP codes."""

import base64
import hmac
import os
import struct
import time
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Schemes that never leave the browser (inline images, blank pages).
_LOCAL_SCHEMES = {"data", "blob", "about"}


def chromium_missing_message() -> str | None:
    if os.path.exists(CHROMIUM):
        return None
    return (
        f"{CHROMIUM} not found: the browser tests need Debian's chromium "
        "(run scripts/install_system_deps.sh; `playwright install` is not used)."
    )


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def guard_outside_requests(context, server_url: str) -> list[str]:
    """Abort and record every request that goes anywhere but the live server; return the record.

    Console errors about the Content-Security-Policy (an inline script, style or eval the policy
    refused) go into the same record: a page that needs what the policy forbids is broken too.
    """
    server = urlsplit(server_url)
    outside: list[str] = []

    def is_outside(url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in _LOCAL_SCHEMES:
            return False
        return (parts.scheme, parts.hostname, parts.port) != (server.scheme, server.hostname, server.port)

    def on_route(route):
        if is_outside(route.request.url):
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def on_request(request):
        if is_outside(request.url) and request.url not in outside:
            outside.append(request.url)

    def on_console(message):
        if "Content Security Policy" in message.text:
            outside.append(f"CSP violation on {message.location.get('url', '?')}: {message.text}")

    context.route("**/*", on_route)
    context.on("request", on_request)
    context.on("console", on_console)
    return outside


def totp(secret_b32: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP (HMAC-SHA1) for a base32 secret, as authenticator apps compute it."""
    key = base64.b32decode(secret_b32.strip().upper() + "=" * (-len(secret_b32.strip()) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), "sha1").digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return str(code).zfill(digits)
