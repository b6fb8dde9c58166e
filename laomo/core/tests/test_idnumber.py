"""Tests for laomo.core.idnumber (pure Python, no database)."""

from datetime import date
from decimal import Decimal

import pytest

from laomo.core.idnumber import (
    IdNumberError,
    IdNumberInfo,
    PhoneError,
    check_digit,
    mask_id_number,
    mask_phone,
    mask_text,
    normalize_id_number,
    normalize_phone,
    parse_id_number,
    upgrade_15_to_18,
)


def make_id(first17: str) -> str:
    return first17 + check_digit(first17)


def first17_with_check(prefix14: str, want: str) -> str:
    """Return a full ID with the given first 14 digits whose check character is ``want``."""
    for seq in range(1000):
        first17 = f"{prefix14}{seq:03d}"
        if check_digit(first17) == want:
            return first17 + want
    raise AssertionError("no sequence found")


MALE_ID = make_id("33110219650312123")  # sequence 123: odd → male
FEMALE_ID = make_id("33112619781105004")  # sequence 004: even → female
X_ID = first17_with_check("33118119700101", "X")


# --- check digit -----------------------------------------------------------------------------


def test_it_computes_check_digit_for_known_public_examples():
    # Widely published sample numbers from GB 11643-1999 documentation.
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"


def test_it_check_digit_covers_every_remainder():
    seen = {check_digit(f"33110219650312{seq:03d}") for seq in range(200)}
    assert seen == set("10X98765432")


def test_it_check_digit_rejects_wrong_input():
    with pytest.raises(IdNumberError):
        check_digit("1234")
    with pytest.raises(IdNumberError):
        check_digit("3311021965031212X")


# --- normalize ---------------------------------------------------------------------------------


def test_it_normalizes_full_width_spaces_and_lower_x():
    raw = "３３１１８１ １９７００１０１ " + X_ID[14:17] + "ｘ"
    assert normalize_id_number(raw) == X_ID
    assert normalize_id_number(f" {X_ID[:-1]}x\n") == X_ID
    assert normalize_id_number(f"{X_ID[:6]}\u3000{X_ID[6:]}") == X_ID


def test_it_normalizes_leading_quote_and_zero_width_characters():
    assert normalize_id_number(f"'{MALE_ID}") == MALE_ID
    assert normalize_id_number(f"\ufeff{MALE_ID}\u200b") == MALE_ID


def test_it_normalize_returns_empty_for_blank():
    assert normalize_id_number(None) == ""
    assert normalize_id_number("   ") == ""


def test_it_accepts_18_digit_int():
    assert normalize_id_number(int(MALE_ID)) == MALE_ID


def test_it_accepts_decimal_integral_value():
    assert normalize_id_number(Decimal(MALE_ID)) == MALE_ID
    with pytest.raises(IdNumberError):
        normalize_id_number(Decimal("1.5"))


def test_it_refuses_float_18_digits_as_scientific_notation():
    with pytest.raises(IdNumberError) as exc:
        normalize_id_number(float(MALE_ID))
    message = str(exc.value)
    assert "科学计数法" in message
    assert "3.31102E+17" in message
    assert "文本" in message


SCIENTIFIC_TEXTS = ["3.31102E+17", "3.31102e+17", "3.31102196503121E+17", "３.３１１０２Ｅ＋１７"]


@pytest.mark.parametrize("text", SCIENTIFIC_TEXTS)
def test_it_refuses_scientific_notation_text(text):
    with pytest.raises(IdNumberError, match="科学计数法"):
        normalize_id_number(text)


def test_it_accepts_15_digit_float_that_survived_excel():
    old = "331102650312123"
    assert normalize_id_number(float(old)) == upgrade_15_to_18(old)
    assert normalize_id_number(old + ".0") == upgrade_15_to_18(old)


def test_it_refuses_non_integral_float_and_bool():
    with pytest.raises(IdNumberError):
        normalize_id_number(1.5)
    with pytest.raises(IdNumberError):
        normalize_id_number(True)
    with pytest.raises(IdNumberError):
        normalize_id_number(float("nan"))


# --- 15-digit upgrade ------------------------------------------------------------------------


def test_it_upgrades_15_digit_numbers():
    upgraded = upgrade_15_to_18("331102650312123")
    assert upgraded[:17] == "33110219650312123"
    assert upgraded[17] == check_digit("33110219650312123")
    assert upgraded == MALE_ID
    assert normalize_id_number("331102650312123") == MALE_ID
    info = parse_id_number("331102650312123")
    assert info.number == MALE_ID
    assert info.birth_date == date(1965, 3, 12)


def test_it_upgrade_rejects_bad_input():
    with pytest.raises(IdNumberError):
        upgrade_15_to_18("33110265031212X")


# --- parse -------------------------------------------------------------------------------------


def test_it_parses_a_valid_male_id():
    info = parse_id_number(MALE_ID)
    assert info == IdNumberInfo(number=MALE_ID, birth_date=date(1965, 3, 12), sex="M", region_code="331102")


def test_it_parses_a_valid_female_id():
    info = parse_id_number(FEMALE_ID)
    assert info.sex == "F"
    assert info.birth_date == date(1978, 11, 5)
    assert info.region_code == "331126"


def test_it_parses_an_id_ending_in_x_written_lower_case():
    info = parse_id_number(X_ID.lower())
    assert info.number == X_ID
    assert info.number.endswith("X")


def test_it_rejects_empty():
    with pytest.raises(IdNumberError, match="为空"):
        parse_id_number("")


@pytest.mark.parametrize("raw", ["3311021965031212", "33110219650312123", "3311021965031212345"])
def test_it_rejects_wrong_length(raw):
    with pytest.raises(IdNumberError, match="位数错误"):
        parse_id_number(raw)


@pytest.mark.parametrize(
    "raw", ["33110219650312123A", "身份证33110219650312", "3311X2196503121234", "331102-1965031212"]
)
def test_it_rejects_non_digits(raw):
    with pytest.raises(IdNumberError) as exc:
        parse_id_number(raw)
    assert "非法字符" in str(exc.value) or "X" in str(exc.value)


def test_it_rejects_x_before_the_last_position():
    with pytest.raises(IdNumberError, match="最后一位"):
        parse_id_number("3311021965031212X4")


def test_it_rejects_unknown_province_code():
    with pytest.raises(IdNumberError, match="地区码"):
        parse_id_number(make_id("00110219650312123"))


@pytest.mark.parametrize("birth", ["19650230", "19651301", "19650000"])
def test_it_rejects_impossible_birth_date(birth):
    with pytest.raises(IdNumberError, match="出生日期"):
        parse_id_number(make_id(f"331102{birth}123"))


def test_it_rejects_future_birth_date():
    future = make_id("33110220990101123")
    with pytest.raises(IdNumberError, match="晚于今天"):
        parse_id_number(future)
    with pytest.raises(IdNumberError, match="晚于今天"):
        parse_id_number(MALE_ID, today=date(1965, 3, 11))
    assert parse_id_number(MALE_ID, today=date(1965, 3, 12)).birth_date == date(1965, 3, 12)


def test_it_rejects_birth_before_1900():
    with pytest.raises(IdNumberError, match="1900"):
        parse_id_number(make_id("33110218991231123"))


def test_it_rejects_wrong_check_digit_and_says_what_it_should_be():
    expected = MALE_ID[-1]
    wrong = "0" if expected != "0" else "1"
    with pytest.raises(IdNumberError) as exc:
        parse_id_number(MALE_ID[:-1] + wrong)
    assert f"校验位错误,应为{expected}" in str(exc.value)


def test_it_hints_at_excel_truncation_when_number_ends_in_000():
    # Excel keeps 15 significant digits; shown with format "0" the last three become 000.
    first17 = next(f"33110219650312{d}00" for d in "123456789" if check_digit(f"33110219650312{d}00") != "0")
    with pytest.raises(IdNumberError, match="截断"):
        parse_id_number(first17 + "0")


def test_it_error_is_a_value_error():
    assert issubclass(IdNumberError, ValueError)


# --- masking -----------------------------------------------------------------------------------


def test_it_masks_id_numbers():
    assert mask_id_number("33110219650312123X") == "3311**********123X"
    assert mask_id_number(MALE_ID) == "3311**********" + MALE_ID[-4:]
    assert mask_id_number("") == ""
    assert mask_id_number(None) == ""
    assert mask_id_number("1234567") == "*******"


def test_it_masks_phones():
    assert mask_phone("13812345678") == "138****5678"
    # Issue 15 item 6: a landline read "057*-***3456" — the area code cut in two.
    assert mask_phone("0578-2123456") == "0578-****456"
    assert mask_phone("010-62123456") == "010-*****456"
    assert mask_phone("0578-2123456-801") == "0578-****456-***"
    assert mask_phone("2123456") == "****456"
    assert mask_phone("") == ""
    assert mask_phone(None) == ""
    assert mask_phone("2123") == "**23"


def test_it_masks_addresses():
    assert mask_text("浙江省丽水市莲都区紫金街道123号") == "浙江省丽水市***"
    assert mask_text("丽水市") == "丽***"
    assert mask_text("") == ""
    assert mask_text(None) == ""
    assert mask_text("abcdefgh", keep=3) == "abc***"


# --- phones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("8613812345678", "13812345678"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        ("0578-2123456", "0578-2123456"),
        ("05782123456", "0578-2123456"),
        ("(0578)2123456", "0578-2123456"),
        ("０５７８－２１２３４５６", "0578-2123456"),
        ("010-62345678", "010-62345678"),
        ("2123456", "2123456"),
        ("0578-2123456-801", "0578-2123456-801"),
        ("0578-2123456转801", "0578-2123456-801"),
        ("0578-212-3456", "0578-2123456"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_normalizes_phones(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "garbage",
        "12345",
        "1381234567",
        "138123456789",
        "11812345678",
        "无",
        "0578-123",
        "+1 650 123 4567",
        True,
    ],
)
def test_it_rejects_bad_phones(raw):
    with pytest.raises(PhoneError, match="联系电话"):
        normalize_phone(raw)


def test_it_rejects_phone_in_scientific_notation():
    with pytest.raises(PhoneError, match="科学计数法"):
        normalize_phone("1.38123E+10")


def test_it_rejects_two_phones_in_one_cell():
    with pytest.raises(PhoneError, match="一个号码"):
        normalize_phone("13812345678/0578-2123456")
