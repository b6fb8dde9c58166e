"""Builders of hostile spreadsheet files for the robustness tests (raw zip, XML and BIFF writing)."""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
HEADER_CELLS = ("姓名", "身份证号", "性别", "荣誉称号")


def inline_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row() -> str:
    return '<row r="1">' + "".join(inline_cell(f"{chr(65 + i)}1", t) for i, t in enumerate(HEADER_CELLS)) + "</row>"


def worksheet(rows_xml: str, prolog: str = "", dimension: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
            f'<worksheet xmlns="{MAIN}">{dim}<sheetData>{rows_xml}</sheetData></worksheet>')


def write_xlsx(path: Path, sheets: list[str] | list[tuple[str, str, str]], shared_strings: str | None = None,
               level: int = 6) -> Path:
    """A minimal .xlsx: ``sheets`` are worksheet XML texts, or (name, state, xml) tuples."""
    sheets = [s if isinstance(s, tuple) else (f"Sheet{i}", "visible", s) for i, s in enumerate(sheets, start=1)]
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                + "".join(f'<sheet name="{name}" sheetId="{i}" state="{state}" r:id="rId{i}"/>'
                          for i, (name, state, _) in enumerate(sheets, start=1))
                + "</sheets></workbook>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
            + (f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
               '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared_strings else "")
            + "</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        for i, (_, _, xml) in enumerate(sheets, start=1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if shared_strings:
            zf.writestr("xl/sharedStrings.xml", shared_strings)
    return path


def sparse_xlsx(path: Path) -> Path:
    """Finding 1: a header row and one cell at XFD1048576 (about 1.6 KB)."""
    return write_xlsx(path, [worksheet(header_row() + '<row r="1048576">' + inline_cell("XFD1048576", "x") + "</row>")])


def zip_bomb_xlsx(path: Path, rows: int = 1_000_000, columns: int = 12, references: bool = False) -> Path:
    """Finding 2: ``rows`` × ``columns`` cells under the header, streamed out (never held).

    Without ``references`` every row is the same text (cells and rows placed by their order, as the
    format allows): about 0.3 MB compressed, 240 MB inflated. With them each cell says where it is
    (``<c r="L1000001">``): about 30 MB, written fast (compression level 1).
    """
    letters = [chr(65 + i) for i in range(columns)]
    plain = "<row>" + "<c><v>1</v></c>" * columns + "</row>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1 if references else 9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{MAIN}" '
                    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels",
                    '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(worksheet(header_row())[:-len("</sheetData></worksheet>")].encode())
            block = (plain * 10_000).encode()
            for start in range(2, rows + 2, 10_000):
                count = min(10_000, rows + 2 - start)
                if references:
                    out.write("".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in letters)
                                      + "</row>" for r in range(start, start + count)).encode())
                else:
                    out.write(block if count == 10_000 else (plain * count).encode())
            out.write(b"</sheetData></worksheet>")
    return path


def lying_size_xlsx(path: Path) -> Path:
    """A member whose directory entries declare far fewer bytes than its data inflates to."""
    write_xlsx(path, [worksheet(header_row() + "".join(
        f'<row r="{r}">{inline_cell(f"A{r}", "张三" * 20)}</row>' for r in range(2, 2000)))])
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name.decode())
    struct.pack_into("<I", data, info.header_offset + 22, 1000)  # local header: uncompressed size
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        if pos == -1:
            break
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + name_len]) == name:
            struct.pack_into("<I", data, pos + 24, 1000)  # central directory: uncompressed size
        pos += 4
    path.write_bytes(bytes(data))
    return path


XXE_PROLOG = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS_PROLOG = ("<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                 + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                           for i in range(1, 10))
                 + "]>")


def xxe_shared_strings_xlsx(path: Path) -> Path:
    sst = (f'<?xml version="1.0" encoding="UTF-8"?>\n{XXE_PROLOG}<sst xmlns="{MAIN}" count="2" uniqueCount="2">'
           "<si><t>姓名</t></si><si><t>&xxe;</t></si></sst>")
    sheet = worksheet('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>')
    return write_xlsx(path, [sheet], shared_strings=sst)


def xxe_sheet_xlsx(path: Path) -> Path:
    return write_xlsx(path, [worksheet(header_row() + '<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c>'
                                       "</row>", prolog=XXE_PROLOG)])


def billion_laughs_xlsx(path: Path) -> Path:
    return write_xlsx(path, [worksheet(header_row() + '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is>'
                                       "</c></row>", prolog=LAUGHS_PROLOG)])


def csv_rows(path: Path, size: int, line: str = "张三,331102196503121230,男,丽水市劳动模范\n") -> Path:
    """A CSV of about ``size`` bytes of repeated data lines under a header."""
    body = line.encode("utf-8")
    with open(path, "wb") as fh:
        fh.write("姓名,身份证号,性别,荣誉称号\n".encode())
        block = body * 10_000
        written = 0
        while written + len(block) <= size:
            fh.write(block)
            written += len(block)
        fh.write(body * ((size - written) // len(body)))
    return path


def random_binary(path: Path, size: int = 64 * 1024) -> Path:
    path.write_bytes(os.urandom(size))
    return path


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
             b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


# --- .xls (BIFF8 in an OLE2 container) -------------------------------------------------------


def biff_record(rtype: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", rtype, len(data)) + data


def labelsst(row: int, col: int, index: int) -> bytes:
    return biff_record(0x00FD, struct.pack("<HHHI", row, col, 0, index))


def ole2(stream: bytes, name: str = "Workbook") -> bytes:
    """An OLE2 compound file holding one stream (FAT sectors first, then the stream, then the directory)."""
    stream += b"\0" * (-len(stream) % 512)
    stream = stream.ljust(4096, b"\0")
    sectors = len(stream) // 512
    nfat = -(-(sectors + 2) // 128)
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    fat = [fat_sector] * nfat + [nfat + i + 1 for i in range(sectors - 1)] + [end, end]
    fat += [free] * (nfat * 128 - len(fat))
    difat = list(range(nfat)) + [free] * (109 - nfat)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, nfat, nfat + sectors, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", *difat))

    def entry(entry_name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = entry_name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1) + struct.pack("<III", free, free, child)
                + b"\0" * 36 + struct.pack("<III", start, size, 0))

    directory = (entry("Root Entry", 5, 1, end, 0) + entry(name, 2, free, nfat, len(stream))).ljust(512, b"\0")
    return header + struct.pack(f"<{nfat * 128}I", *fat) + stream + directory


def xls_with_cells(cells: bytes, strings: tuple[str, ...] = HEADER_CELLS + ("x",)) -> bytes:
    sst = struct.pack("<II", len(strings), len(strings))
    for text in strings:
        sst += struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")

    def bof(kind: int) -> bytes:
        return biff_record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))

    font = biff_record(0x0031, struct.pack("<HHHHHBBBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0, 5, 0) + b"Arial")
    xf = biff_record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    sheet = bof(0x0010) + biff_record(0x0200, struct.pack("<IIHHH", 0, 1, 0, 4, 0)) + cells + biff_record(0x000A)
    name = b"Sheet1"

    def workbook_globals(offset: int) -> bytes:
        return (bof(0x0005) + biff_record(0x0042, struct.pack("<H", 1200)) + font * 5 + xf + xf
                + biff_record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), 0) + name)
                + biff_record(0x00FC, sst) + biff_record(0x000A))

    return ole2(workbook_globals(len(workbook_globals(0))) + sheet)


def sparse_xls(path: Path) -> Path:
    """A header and one cell at row 65536, column 65536 (BIFF8 stores the column in 16 bits)."""
    head = b"".join(labelsst(0, col, col) for col in range(len(HEADER_CELLS)))
    path.write_bytes(xls_with_cells(head + labelsst(65535, 65535, len(HEADER_CELLS))))
    return path
