"""Tests for laomo.core.excel (pure Python, no database)."""

import io
import struct
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter

from laomo.core.excel import (
    ERROR_COLUMN_HEADER,
    ROSTER_HEADER_SYNONYMS,
    ExcelError,
    cell_text,
    find_header,
    is_footer_row,
    iter_data_rows,
    normalize_header,
    read_table,
    safe_cell,
    write_error_report,
    write_xlsx,
)
from laomo.core.idnumber import IdNumberError, check_digit, normalize_id_number

ID1 = "33110219650312123" + check_digit("33110219650312123")
ID2 = "33112619781105004" + check_digit("33112619781105004")
ID3 = "33118119700101011" + check_digit("33118119700101011")


# --- helpers -------------------------------------------------------------------------------


def xlsx_bytes(build) -> bytes:
    workbook = openpyxl.Workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _record(rtype: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", rtype, len(data)) + data


def build_xls(rows, merges=(), date_cells=()) -> bytes:
    """Build a minimal BIFF8 (.xls, Excel 97) workbook in an OLE2 container, without xlwt.

    One sheet "Sheet1"; strings go to the shared string table (LABELSST), numbers are NUMBER
    records; ``date_cells`` positions use built-in format 14 (a date); ``merges`` are
    (first_row, last_row, first_col, last_col).
    """
    strings: list[str] = []
    index: dict[str, int] = {}
    cells = b""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                if value not in index:
                    index[value] = len(strings)
                    strings.append(value)
                cells += _record(0x00FD, struct.pack("<HHHI", r, c, 0, index[value]))
            else:
                xf = 1 if (r, c) in date_cells else 0
                cells += _record(0x0203, struct.pack("<HHHd", r, c, xf, float(value)))
    sst = struct.pack("<II", len(strings), len(strings))
    for text in strings:
        sst += struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")

    def bof(kind):
        return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))

    font = _record(0x0031, struct.pack("<HHHHHBBBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0, 5, 0) + b"Arial")

    def xf(fmt):
        return _record(0x00E0, struct.pack("<HHHBBBBIIH", 0, fmt, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))

    name = b"Sheet1"
    width = max((len(r) for r in rows), default=0)
    sheet = bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0)) + cells
    if merges:
        refs = b"".join(struct.pack("<HHHH", *m) for m in merges)
        sheet += _record(0x00E5, struct.pack("<H", len(merges)) + refs)
    sheet += _record(0x000A)

    def workbook_globals(offset):
        return (
            bof(0x0005)
            + _record(0x0042, struct.pack("<H", 1200))
            + font * 5
            + xf(0)
            + xf(14)
            + _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), 0) + name)
            + _record(0x00FC, sst)
            + _record(0x000A)
        )

    stream = workbook_globals(len(workbook_globals(0))) + sheet
    stream += b"\0" * (-len(stream) % 512)
    stream = stream.ljust(4096, b"\0")  # at least 4096 bytes: no mini stream needed
    sectors = len(stream) // 512
    assert sectors + 2 <= 128
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    fat = [0xFFFFFFFD] + [i + 1 for i in range(1, sectors)] + [end, end]
    fat += [free] * (128 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, sectors + 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )

    def entry(entry_name, kind, child, start, size):
        raw = entry_name.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", free, free, child)
            + b"\0" * 36
            + struct.pack("<III", start, size, 0)
        )

    directory = entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 1, len(stream))
    directory = directory.ljust(512, b"\0")
    return header + struct.pack("<128I", *fat) + stream + directory


def messy_roster(workbook):
    """A roster as union offices send it."""
    ws = workbook.active
    ws.title = "劳模名册"
    rows = {
        1: ["丽水市劳动模范花名册"],
        2: ["填报单位:莲都区总工会", None, None, None, None, "填报日期:2024年5月"],
        # row 3 blank
        4: [
            "序号",
            "*姓名",
            "身份证号码\n(18位)",
            "性 别",
            "出生年月",
            "县（市、区）",
            "荣誉称号",
            "获评时间",
        ],
        5: [1, "张三", ID1, "男", "1965.03", "莲都区", "浙江省劳动模范", 2015],
        6: [2, "李四", float(ID2), "女", date(1978, 11, 5), "庆元县", "全国劳模", "2010年"],
        # row 7 blank
        8: [3, "王五", ID3.lower(), "男", "1970-01", "龙泉市", "龙泉市劳动模范", 2019.0],
        9: [4],  # pre-numbered empty template row
        10: [
            "序号",
            "姓名",
            "身份证号",
            "性别",
            "出生年月",
            "县（市、区）",
            "荣誉称号",
            "获评时间",
        ],  # repeated header
        11: ["合计", None, "3人"],
        12: ["注:1.身份证号请设置为文本格式;2.获评时间填年份。"],
        13: ["填表人:赵六", None, None, None, "审核人:钱七"],
    }
    for row_number, values in rows.items():
        for col, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(row=row_number, column=col, value=value)
    ws.merge_cells("A1:H1")


# --- cell_text -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  张三 \u3000", "张三"),
        (12, "12"),
        (12.0, "12"),
        (12.5, "12.5"),
        (0.1 + 0.2, "0.3"),
        (-3.0, "-3"),
        (331102650312123.0, "331102650312123"),  # a 15-digit old ID survives as a float
        (float(ID1), "3.31102196503121E+17"),  # an 18-digit one does not
        (1e15, "1E+15"),
        (10**17 + 1, str(10**17 + 1)),  # a real int is exact
        (True, "TRUE"),
        (date(2015, 4, 28), "2015-04-28"),
        (datetime(2015, 4, 28), "2015-04-28"),
        (datetime(2015, 4, 28, 9, 30), "2015-04-28 09:30"),
        (datetime(2015, 4, 28, 9, 30, 5), "2015-04-28 09:30:05"),
        (datetime(2015, 4, 28, 1, 0, tzinfo=UTC), "2015-04-28 09:00"),
        (time(8, 30), "08:30"),
        (timedelta(hours=26, minutes=5), "26:05:00"),
        (Decimal("12.50"), "12.50"),
        (float("nan"), None),
    ],
)
def test_it_renders_cells_as_people_see_them(value, expected):
    assert cell_text(value) == expected


def test_it_lossy_id_text_is_refused_by_the_id_normalizer():
    with pytest.raises(IdNumberError, match="科学计数法"):
        normalize_id_number(cell_text(float(ID1)))


# --- read_table: xlsx -----------------------------------------------------------------------


def test_it_reads_a_messy_xlsx_roster():
    rows = read_table(xlsx_bytes(messy_roster), "名册.xlsx")
    assert rows[0][0] == "丽水市劳动模范花名册"
    assert rows[0][1] is None  # merged cell: value only top-left
    assert rows[2] == [None] * 8
    assert rows[3][2] == "身份证号码\n(18位)"
    assert rows[4] == ["1", "张三", ID1, "男", "1965.03", "莲都区", "浙江省劳动模范", "2015"]
    assert rows[5][2] == format(float(ID2), ".15G")  # ID stored as a number: detectable loss
    assert "E+17" in rows[5][2]
    assert rows[5][4] == "1978-11-05"
    assert rows[7][7] == "2019"
    assert all(len(row) == 8 for row in rows)


def test_it_finds_header_and_data_rows_in_a_messy_roster():
    rows = read_table(xlsx_bytes(messy_roster), "名册.xlsx")
    header_index, columns = find_header(rows, ROSTER_HEADER_SYNONYMS)
    assert header_index == 3
    assert columns == {
        "name": 1,
        "id_number": 2,
        "sex": 3,
        "birth_date": 4,
        "region": 5,
        "honor": 6,
        "award_year": 7,
    }
    data = list(iter_data_rows(rows, header_index, columns))
    assert [number for number, _ in data] == [5, 6, 8]
    first = data[0][1]
    assert first["name"] == "张三"
    assert first["id_number"] == ID1
    assert first["region"] == "莲都区"
    assert data[2][1]["id_number"] == ID3.lower()


def test_it_reads_data_that_does_not_start_at_a1():
    def build(workbook):
        ws = workbook.active
        ws["C3"] = "姓名"
        ws["D3"] = "身份证号"
        ws["C4"] = "张三"
        ws["D4"] = ID1

    rows = read_table(xlsx_bytes(build), "a.xlsx")
    header_index, columns = find_header(rows, ROSTER_HEADER_SYNONYMS)
    assert header_index == 2
    assert columns == {"name": 2, "id_number": 3}
    assert list(iter_data_rows(rows, header_index, columns)) == [(4, {"name": "张三", "id_number": ID1})]


def test_it_reads_from_path_file_object_and_ignores_a_wrong_extension(tmp_path):
    data = xlsx_bytes(messy_roster)
    path = tmp_path / "名册.xlsx"
    path.write_bytes(data)
    expected = read_table(data, "名册.xlsx")
    assert read_table(path) == expected
    assert read_table(str(path)) == expected
    assert read_table(io.BytesIO(data), "名册.xlsx") == expected
    assert read_table(data, "名册.xls") == expected  # really an xlsx: detected by content


def test_it_skips_hidden_and_empty_sheets_and_can_pick_a_sheet():
    def build(workbook):
        hidden = workbook.active
        hidden.title = "隐藏"
        hidden["A1"] = "hidden"
        hidden.sheet_state = "hidden"
        workbook.create_sheet("空表")
        data = workbook.create_sheet("名册")
        data["A1"] = "姓名"
        workbook.create_sheet("其他")["A1"] = "other"

    data = xlsx_bytes(build)
    assert read_table(data, "x.xlsx") == [["姓名"]]
    assert read_table(data, "x.xlsx", sheet="其他") == [["other"]]
    assert read_table(data, "x.xlsx", sheet=0) == [["hidden"]]
    with pytest.raises(ExcelError, match="找不到工作表"):
        read_table(data, "x.xlsx", sheet="不存在")


def test_it_reads_formula_cached_values_from_xlsxwriter_files():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    ws = workbook.add_worksheet()
    ws.write_string(0, 0, "姓名")
    ws.write_formula(0, 1, "=1+1", None, 2)
    ws.write_number(1, 0, float(ID1))
    ws.write_datetime(1, 1, datetime(2015, 4, 28), workbook.add_format({"num_format": "yyyy-mm-dd"}))
    workbook.close()
    rows = read_table(buffer.getvalue(), "f.xlsx")
    assert rows == [["姓名", "2"], ["3.31102196503121E+17", "2015-04-28"]]


def test_it_returns_empty_table_for_empty_input():
    assert read_table(b"", "a.csv") == []
    assert read_table(xlsx_bytes(lambda wb: None), "a.xlsx") == []


def test_it_refuses_html_disguised_as_xls():
    html = "<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode()
    with pytest.raises(ExcelError, match="网页"):
        read_table(html, "导出.xls")


def test_it_refuses_corrupt_and_unsupported_files(tmp_path):
    with pytest.raises(ExcelError, match="损坏"):
        read_table(b"PK\x03\x04garbage", "a.xlsx")
    with pytest.raises(ExcelError, match="损坏"):
        read_table(b"just some bytes", "a.xlsx")
    with pytest.raises(ExcelError, match="不支持"):
        read_table(b"hello", "a.pdf")
    with pytest.raises(ExcelError, match="无法打开"):
        read_table(tmp_path / "missing.xlsx")


# --- read_table: xls ------------------------------------------------------------------------


def test_it_reads_xls_with_merged_title_dates_and_numbers():
    data = build_xls(
        [
            ["丽水市劳模名册", None, None, None],
            ["姓名", "身份证号", "出生日期", "序号"],
            ["张三", float(ID1), 23813.0, 1.0],
            ["李四", ID2, 12.5, 2.0],
        ],
        merges=[(0, 0, 0, 3)],
        date_cells={(2, 2)},
    )
    rows = read_table(data, "名册.xls")
    assert rows == [
        ["丽水市劳模名册", None, None, None],
        ["姓名", "身份证号", "出生日期", "序号"],
        ["张三", "3.31102196503121E+17", "1965-03-12", "1"],
        ["李四", ID2, "12.5", "2"],
    ]
    header_index, columns = find_header(rows, ROSTER_HEADER_SYNONYMS)
    assert (header_index, columns) == (1, {"name": 0, "id_number": 1, "birth_date": 2})


# --- read_table: csv ------------------------------------------------------------------------

CSV_TEXT = (
    "丽水市劳动模范名册,,\r\n"
    "填报单位:龙泉市总工会,,\r\n"
    ",,\r\n"
    "姓名,身份证号,荣誉称号\r\n"
    f'张三,{ID1},"全国劳模,省劳模"\r\n'
    f'李四,="{ID2}",浙江省劳动模范\r\n'
    "王五,3.31102E+17,市劳模\r\n"
    "合计,3人,\r\n"
)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "gbk"])
def test_it_reads_csv_in_common_encodings(encoding):
    rows = read_table(CSV_TEXT.encode(encoding), "名册.csv")
    assert rows[0] == ["丽水市劳动模范名册", None, None]
    assert rows[3] == ["姓名", "身份证号", "荣誉称号"]
    assert rows[4] == ["张三", ID1, "全国劳模,省劳模"]
    assert rows[5] == ["李四", ID2, "浙江省劳动模范"]  # ="..." text trick unwrapped
    assert rows[6][1] == "3.31102E+17"
    header_index, columns = find_header(rows, ROSTER_HEADER_SYNONYMS)
    assert [n for n, _ in iter_data_rows(rows, header_index, columns)] == [5, 6, 7]


def test_it_reads_tab_separated_utf16_text():
    text = "姓名\t身份证号\n张三\t" + ID1 + "\n"
    assert read_table(text.encode("utf-16"), "名册.txt") == [["姓名", "身份证号"], ["张三", ID1]]


def test_it_reads_csv_with_semicolons_and_from_path(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("姓名;性别\n张三;男\n".encode())
    assert read_table(path) == [["姓名", "性别"], ["张三", "男"]]


def test_it_reads_csv_without_extension_hint():
    assert read_table("姓名,性别\n张三,男\n".encode(), None) == [["姓名", "性别"], ["张三", "男"]]


# --- find_header ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*姓名", "姓名"),
        ("＊姓 名", "姓名"),
        ("身份证号码\n", "身份证号码"),
        ("县（市、区）", "县(市、区)"),
        ("联系电话:", "联系电话"),
        (None, ""),
    ],
)
def test_it_normalizes_header_text(text, expected):
    assert normalize_header(text) == expected


def test_it_matches_every_roster_synonym():
    for field, names in ROSTER_HEADER_SYNONYMS.items():
        for name in names:
            other = "姓名" if field != "name" else "性别"
            _, columns = find_header([[name, other]], ROSTER_HEADER_SYNONYMS)
            assert columns[field] == 0, name


def test_it_matches_headers_with_bracketed_remarks():
    rows = [["姓名(必填)", "身份证号码（18位）", "出生年月【例:1965.03】", "工作单位及职务", "职务"]]
    _, columns = find_header(rows, ROSTER_HEADER_SYNONYMS)
    assert columns == {"name": 0, "id_number": 1, "birth_date": 2, "employer": 3, "job_title": 4}


def test_it_skips_title_and_unit_lines_that_mention_one_field():
    rows = [
        ["丽水市劳动模范花名册", None],
        ["单位", None],  # only one known synonym: not a header
        ["填报单位:莲都区", "填报日期:2024"],
        [None, None],
        ["姓名", "性别"],
    ]
    assert find_header(rows, ROSTER_HEADER_SYNONYMS) == (4, {"name": 0, "sex": 1})


def test_it_keeps_the_first_column_for_duplicate_fields():
    _, columns = find_header([["姓名", "电话", "手机"]], ROSTER_HEADER_SYNONYMS)
    assert columns == {"name": 0, "phone": 1}


def test_it_raises_when_no_header_is_found():
    with pytest.raises(ExcelError, match="未找到表头"):
        find_header([["标题"], ["张三", "男"]], ROSTER_HEADER_SYNONYMS)
    with pytest.raises(ExcelError, match="未找到表头"):
        find_header([], ROSTER_HEADER_SYNONYMS)


def test_it_accepts_custom_synonyms_and_threshold():
    rows = [["说明"], ["项目名称", "金额"]]
    assert find_header(rows, {"project": ["项目名称"], "amount": ["金额"]}) == (
        1,
        {"project": 0, "amount": 1},
    )
    assert find_header([["金额"]], {"amount": ["金额"]}, min_matches=1) == (0, {"amount": 0})


# --- iter_data_rows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    [
        "合计",
        "合  计",
        "总计:10人",
        "小计",
        "填表人:张",
        "审核人",
        "注:请用文本",
        "注:",
        "说明:",
        "备注:无",
        "制表人:李",
    ],
)
def test_it_recognizes_footer_rows(first):
    assert is_footer_row([None, first, "x"])


def test_it_does_not_take_names_for_footers():
    assert not is_footer_row(["注明", "x"])
    assert not is_footer_row(["张三", "合计"])
    assert not is_footer_row([None, None])


def test_it_skips_blank_footer_note_and_repeated_header_rows():
    rows = [
        ["姓名", "身份证号", "备注"],
        ["张三", ID1, None],
        [None, None, None],
        ["李四", None, None],  # a data row with only a name: yielded, the caller reports it
        ["1.身份证号必须为18位", None, None],  # a single-cell note
        [None, None, "请于5月底前报送。"],  # a single-cell note in another column
        ["姓名", "身份证号", "备注"],  # repeated header
        ["王五", ID2, "退休"],
        ["合计", "3", None],
        ["填表人:赵六", None, "联系电话:2123456"],
    ]
    header_index, columns = find_header(rows, ROSTER_HEADER_SYNONYMS)
    data = list(iter_data_rows(rows, header_index, columns))
    assert data == [
        (2, {"name": "张三", "id_number": ID1, "note": None}),
        (4, {"name": "李四", "id_number": None, "note": None}),
        (8, {"name": "王五", "id_number": ID2, "note": "退休"}),
    ]


def test_it_keeps_a_lone_long_value_in_a_data_column():
    rows = [["姓名", "工作单位", "备注"], [None, "丽水市莲都区紫金街道某某某某有限责任公司第一分公司", None]]
    _, columns = find_header(rows, ROSTER_HEADER_SYNONYMS)
    assert [n for n, _ in iter_data_rows(rows, 0, columns)] == [2]


def test_it_handles_rows_shorter_than_the_header():
    rows = [["姓名", "性别", "民族"], ["张三"]]
    assert list(iter_data_rows(rows, 0, {"name": 0, "sex": 1, "ethnicity": 2})) == [
        (2, {"name": "张三", "sex": None, "ethnicity": None})
    ]


# --- safe_cell ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\x00x", "'\x00x"),
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("张三", "张三"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (12, "12"),
    ],
)
def test_it_neutralizes_formula_injection(value, expected):
    assert safe_cell(value) == expected


# --- write_xlsx -----------------------------------------------------------------------------


def _load(target):
    if isinstance(target, io.BytesIO):
        target.seek(0)
    return openpyxl.load_workbook(target).active


def test_it_writes_text_columns_as_text_and_neutralizes_formulas():
    out = io.BytesIO()
    count = write_xlsx(
        out,
        ["姓名", "身份证号", "联系电话", "金额", "获评日期", "在职", "登记时间", "备注"],
        [
            [
                "张三",
                ID1,
                13812345678,
                Decimal("1234.50"),
                date(2015, 4, 28),
                True,
                None,
                "=cmd|'/c calc'!A0",
            ],
            [
                "李四",
                int(ID2),
                "0578-2123456",
                3,
                None,
                False,
                datetime(2024, 1, 1, 0, 30, tzinfo=UTC),
                "@x",
            ],
        ],  # fmt: skip
        text_columns={"身份证号", 2},
        sheet_name="名册",
    )
    assert count == 2
    ws = _load(out)
    assert ws.title == "名册"
    assert ws.freeze_panes == "A2"
    assert ws["A1"].value == "姓名"
    assert ws["A1"].font.b
    assert ws["B2"].value == ID1
    assert ws["B2"].data_type == "s"
    assert ws["B3"].value == ID2  # an int in a text column stays exact text
    assert ws["C2"].value == "13812345678"
    assert ws["C2"].data_type == "s"
    assert ws["D2"].value == 1234.5
    assert ws["D2"].number_format == "#,##0.00"
    assert ws["D3"].value == 3
    assert ws["E2"].value == datetime(2015, 4, 28)
    assert ws["F2"].value == "是"
    assert ws["F3"].value == "否"
    assert ws["G2"].value is None
    assert ws["G3"].value == datetime(2024, 1, 1, 8, 30)  # Asia/Shanghai
    assert ws["H2"].value == "'=cmd|'/c calc'!A0"
    assert ws["H2"].data_type == "s"
    assert ws["H3"].value == "'@x"
    assert ws.column_dimensions["B"].width >= 18


def test_it_writes_to_a_path_from_a_generator(tmp_path):
    path = tmp_path / "out.xlsx"
    count = write_xlsx(path, ["序号", "姓名"], ((i, f"名字{i}") for i in range(1, 501)), width_sample=10)
    assert count == 500
    ws = _load(path)
    assert ws.max_row == 501
    assert ws["A501"].value == 500
    assert ws["B501"].value == "名字500"


def test_it_sanitizes_sheet_names_and_header_formulas():
    out = io.BytesIO()
    write_xlsx(out, ["=危险", "b"], [], sheet_name="a/b:c*" + "长" * 40)
    ws = _load(out)
    assert ws["A1"].value == "'=危险"
    assert "/" not in ws.title
    assert len(ws.title) <= 31


def test_it_roundtrips_written_ids_through_read_table():
    out = io.BytesIO()
    write_xlsx(out, ["姓名", "身份证号"], [["张三", ID1], ["李四", ID3]], text_columns={1})
    rows = read_table(out.getvalue(), "out.xlsx")
    assert rows == [["姓名", "身份证号"], ["张三", ID1], ["李四", ID3]]


# --- write_error_report ---------------------------------------------------------------------


def test_it_writes_an_error_report_with_the_original_rows():
    rows = read_table(xlsx_bytes(messy_roster), "名册.xlsx")
    header_index, columns = find_header(rows, ROSTER_HEADER_SYNONYMS)
    errors = {6: ["身份证号被Excel存成了科学计数法(3.31102E+17),无法恢复"], 8: ["错误一", "错误二"]}
    out = io.BytesIO()
    written = write_error_report(rows, header_index, errors, out)
    ws = _load(out)
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0][:4] == ["原表行号", "序号", "*姓名", "身份证号码\n(18位)"]
    assert values[0][-1] == ERROR_COLUMN_HEADER
    assert values[1][1:4] == ["1", "张三", ID1]  # original cells as text
    assert ws["D2"].data_type == "s"
    assert [row[0] for row in values[1:4]] == [5, 6, 8]  # the sheet's own row numbers: blank row 7 dropped
    assert values[1][-1] is None
    assert values[2][-1].startswith("身份证号被Excel")
    assert values[3][2] == "王五"
    assert values[3][-1] == "错误一\n错误二"
    assert ws.cell(row=4, column=10).font.color.rgb.endswith("C00000")
    assert all("丽水市劳动模范花名册" not in (row[1] or "") for row in values)  # title dropped
    assert written == len(values) - 1
    assert ws.freeze_panes == "A2"


def test_it_writes_only_error_rows_when_asked(tmp_path):
    rows = [["姓名", "身份证号"], ["张三", "=1+1"], ["李四", "x"], [None, None]]
    path = tmp_path / "err.xlsx"
    assert write_error_report(rows, 0, {3: ["身份证号位数错误"]}, path, only_errors=True) == 1
    values = list(_load(path).iter_rows(values_only=True))
    assert values == [("原表行号", "姓名", "身份证号", "错误信息"), (3, "李四", "x", "身份证号位数错误")]


def test_it_error_report_neutralizes_formulas_from_the_original_file():
    rows = [["姓名", "身份证号"], ['=HYPERLINK("http://evil")', "1"]]
    out = io.BytesIO()
    write_error_report(rows, 0, {2: ["姓名不能是公式"]}, out)
    assert _load(out)["B2"].value == '\'=HYPERLINK("http://evil")'
