"""Citizen ID numbers (GB 11643-1999), phone numbers and masking helpers.

Pure Python: no Django, no database. All user-facing error messages are in Chinese.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

__all__ = [
    "IdNumberError",
    "IdNumberInfo",
    "PhoneError",
    "check_digit",
    "mask_id_number",
    "mask_phone",
    "mask_text",
    "normalize_id_number",
    "normalize_phone",
    "parse_id_number",
    "upgrade_15_to_18",
]

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# Two-digit province-level codes of GB/T 2260 (plus 71 Taiwan, 81 Hong Kong, 82 Macao, 83 for
# residence permits of Taiwan residents).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip

MIN_BIRTH_DATE = date(1900, 1, 1)
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SCIENTIFIC_RE = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$")
_TRAILING_ZERO_DECIMAL_RE = re.compile(r"^(\d+)\.0+$")
_ID_CHARS_RE = re.compile(r"^[0-9X]+$")


class IdNumberError(ValueError):
    """Invalid citizen ID number; ``str(error)`` is a Chinese message for the user."""


class PhoneError(ValueError):
    """Invalid phone number; ``str(error)`` is a Chinese message for the user."""


@dataclass(frozen=True)
class IdNumberInfo:
    number: str  # normalized 18-character number
    birth_date: date
    sex: str  # 'M' or 'F'
    region_code: str  # first six digits (GB/T 2260 address code)


def _clean_text(raw: str) -> str:
    """Full-width → half-width (NFKC), drop invisible characters and all whitespace."""
    text = unicodedata.normalize("NFKC", raw).translate(_INVISIBLE)
    return "".join(text.split())


def _scientific_error(shown: str) -> IdNumberError:
    return IdNumberError(f"身份证号被Excel存成了科学计数法({shown}),无法恢复,请将该列设为文本后重新填写")


def _float_to_digits(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        raise IdNumberError("身份证号格式错误:不是有效的号码")
    if abs(value) >= 1e15:
        # Excel keeps only 15 significant digits: an 18-digit number has already lost digits.
        raise _scientific_error(format(value, ".6G"))
    if not value.is_integer():
        raise IdNumberError(f"身份证号格式错误:{value!r}不是有效的号码")
    return str(int(value))


def check_digit(first17: str) -> str:
    """Return the GB 11643-1999 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError("计算校验位需要17位数字")
    total = sum(int(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def upgrade_15_to_18(number15: str) -> str:
    """Upgrade an old 15-digit number: insert '19' before the 2-digit year, append the check digit."""
    if len(number15) != 15 or not number15.isascii() or not number15.isdigit():
        raise IdNumberError("旧版身份证号应为15位数字")
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_digit(first17)


def normalize_id_number(raw: object) -> str:
    """Normalize the text form of an ID number without validating it.

    Full-width characters become half-width, all whitespace is removed, ``x`` becomes ``X`` and
    a 15-digit number is upgraded to 18 digits. ``None`` or blank input gives ``''``.
    Numbers that Excel turned into scientific notation cannot be recovered: ``IdNumberError``.
    """
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise IdNumberError("身份证号格式错误:不是有效的号码")
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, float):
        text = _float_to_digits(raw)
    elif isinstance(raw, Decimal):
        try:
            if not raw.is_finite() or raw != raw.to_integral_value():
                raise IdNumberError(f"身份证号格式错误:{raw}不是有效的号码")
            text = str(int(raw))
        except InvalidOperation as exc:
            raise IdNumberError("身份证号格式错误:不是有效的号码") from exc
    else:
        text = _clean_text(str(raw))
        text = text.lstrip("'")  # a quote typed to force text in Excel (all of them: normalizing is idempotent)
        if text[-1:] in ("x", "×"):
            text = text[:-1] + "X"
        if _SCIENTIFIC_RE.match(text):
            shown = text.upper()
            raise _scientific_error(shown)
        match = _TRAILING_ZERO_DECIMAL_RE.match(text)
        if match and len(match.group(1)) in (15, 18):
            text = match.group(1)
    if len(text) == 15 and text.isascii() and text.isdigit():
        text = upgrade_15_to_18(text)
    return text


def parse_id_number(raw: object, *, today: date | None = None) -> IdNumberInfo:
    """Validate an ID number and derive birth date, sex and region code.

    Raises ``IdNumberError`` (Chinese message) for empty input, wrong length, illegal
    characters, unknown province code, impossible or future birth date, wrong check digit.
    """
    number = normalize_id_number(raw)
    if not number:
        raise IdNumberError("身份证号为空")
    if not _ID_CHARS_RE.match(number):
        raise IdNumberError(f"身份证号含有非法字符:{number}(只能是数字,最后一位可以是X)")
    if len(number) != 18:
        raise IdNumberError(f"身份证号位数错误:应为18位(或旧版15位),实际为{len(number)}位")
    if "X" in number[:17]:
        raise IdNumberError("身份证号格式错误:只有最后一位可以是X")
    if number[:2] not in PROVINCE_CODES:
        raise IdNumberError(f"身份证号前两位地区码({number[:2]})无效")

    ymd = number[6:14]
    try:
        birth = date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8]))
    except ValueError as exc:
        raise IdNumberError(f"身份证号中的出生日期({ymd})不是有效日期") from exc
    today = today or datetime.now(LOCAL_TZ).date()
    if birth > today:
        raise IdNumberError(f"身份证号中的出生日期({birth.isoformat()})晚于今天")
    if birth < MIN_BIRTH_DATE:
        raise IdNumberError(f"身份证号中的出生日期({birth.isoformat()})早于1900年,不合理")

    expected = check_digit(number[:17])
    if number[17] != expected:
        hint = ""
        if number.endswith("000"):
            hint = "(号码末尾为000,可能被Excel截断了最后几位,请将该列设为文本后重新填写)"
        raise IdNumberError(f"身份证号校验位错误,应为{expected},实际为{number[17]}{hint}")

    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumberInfo(number=number, birth_date=birth, sex=sex, region_code=number[:6])


# --- phone numbers -------------------------------------------------------------------------

_PHONE_STRIP = dict.fromkeys(map(ord, "-‐‑‒–—―−()（）[]【】 "), None)
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_WITH_AREA_RE = re.compile(r"^0\d{9,11}$")
_LOCAL_RE = re.compile(r"^[2-9]\d{6,7}$")
_EXTENSION_RE = re.compile(r"^(?P<main>.+?)(?:转|ext\.?|EXT\.?|分机|#)(?P<ext>\d{1,6})$")


def _phone_error(raw: object) -> PhoneError:
    return PhoneError(f"联系电话格式不正确:{raw}(应为11位手机号或固定电话,如0578-2123456)")


def _split_landline(digits: str) -> tuple[str, str] | None:
    """Split a landline with area code into (area, local); area codes 010 and 02x have 3 digits."""
    area_len = 3 if digits[1] in "12" else 4
    area, local = digits[:area_len], digits[area_len:]
    if _LOCAL_RE.match(local):
        return area, local
    return None


def normalize_phone(raw: object) -> str:
    """Normalize a mobile or landline number.

    Returns ``'13812345678'`` for mobiles, ``'0578-2123456'`` for landlines with an area code,
    ``'2123456'`` for local numbers (``'0578-2123456-801'`` with an extension). ``None`` or
    blank input gives ``''``. Anything else raises ``PhoneError``.
    """
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise _phone_error(raw)
    if isinstance(raw, float):
        if not raw.is_integer() or raw <= 0:
            raise _phone_error(raw)
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw)).translate(_INVISIBLE)
    text = "".join(text.split())
    if not text:
        return ""
    if _SCIENTIFIC_RE.match(text):
        raise PhoneError(f"联系电话被Excel存成了科学计数法({text.upper()}),请将该列设为文本后重新填写")
    if re.search(r"\d[/、,;|]\d", text):
        raise PhoneError(f"联系电话只能填写一个号码:{raw}")

    extension = ""
    match = _EXTENSION_RE.match(text)
    if match:
        text, extension = match.group("main"), match.group("ext")
    # "0578-2123456-801": a trailing dash group after a complete landline is an extension.
    parts = re.split(r"[-‐‑‒–—―−]", text)
    if (
        not extension
        and len(parts) == 3
        and parts[0].startswith("0")
        and len(parts[2]) <= 6
        and _LANDLINE_WITH_AREA_RE.match(parts[0] + parts[1])
        and _split_landline(parts[0] + parts[1])
    ):
        text, extension = "-".join(parts[:2]), parts[2]

    digits = text.translate(_PHONE_STRIP)
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("86"):
            raise _phone_error(raw)
    if not digits.isascii() or not digits.isdigit():
        raise _phone_error(raw)
    if len(digits) == 13 and digits.startswith("86") and _MOBILE_RE.match(digits[2:]):
        digits = digits[2:]

    if _MOBILE_RE.match(digits):
        if extension:
            raise _phone_error(raw)
        return digits
    result = None
    if _LANDLINE_WITH_AREA_RE.match(digits):
        split = _split_landline(digits)
        if split:
            result = f"{split[0]}-{split[1]}"
    elif _LOCAL_RE.match(digits):
        result = digits
    if result is None:
        raise _phone_error(raw)
    return f"{result}-{extension}" if extension else result


# --- masking -------------------------------------------------------------------------------


def mask_id_number(value: str | None) -> str:
    """'331102196503121234' → '3311**********1234' (first 4 and last 4 kept)."""
    if not value:
        return ""
    text = str(value)
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


_MASK_LANDLINE_RE = re.compile(r"^(?:(?P<area>0\d{2,3})-)?(?P<local>\d{7,8})(?:-(?P<ext>\d{1,6}))?$")


def mask_phone(value: str | None) -> str:
    """'13812345678' → '138****5678'; '0578-2123456' → '0578-****456' (the area code is a place,
    not a secret: it stays, with the last 3 digits of the local number); an extension is hidden."""
    if not value:
        return ""
    text = str(value)
    landline = _MASK_LANDLINE_RE.match(text)
    if landline:
        local = landline["local"]
        masked = "*" * (len(local) - 3) + local[-3:]
        if landline["area"]:
            masked = f"{landline['area']}-{masked}"
        if landline["ext"]:
            masked += "-" + "*" * len(landline["ext"])
        return masked
    if len(text) < 8:
        return "*" * (len(text) - 2) + text[-2:] if len(text) > 2 else "*" * len(text)
    middle = "".join("*" if ch.isdigit() else ch for ch in text[3:-4])
    return text[:3] + middle + text[-4:]


def mask_text(value: str | None, keep: int = 6) -> str:
    """Generic mask for free text such as addresses: keep the first ``keep`` characters then '***'.

    Short texts keep at most half of their characters so that something is always hidden.
    """
    if not value:
        return ""
    text = str(value).strip()
    if not text:
        return ""
    keep = min(keep, len(text) // 2) if len(text) <= keep else keep
    return text[:keep] + "***"
