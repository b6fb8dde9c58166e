"""Hostile spreadsheets (issue 11, findings 1 and 2): each is refused with a clear Chinese reason, in bounded
memory, by the reader in this process and by the reading child; the page and the CLI keep working."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter

from laomo.core.excel import ExcelError, ReadLimits, read_table, read_table_isolated
from laomo.core.tests import hostile

ROOT = Path(__file__).resolve().parents[3]
RSS_LIMIT_KB = 500 * 1024

MEASURE = """
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from laomo.core.excel import ExcelError, read_table_isolated
try:
    rows = read_table_isolated(sys.argv[2], sys.argv[3])
    error = None
except ExcelError as exc:
    error = str(exc)
# Linux keeps ru_maxrss across fork and exec, so RUSAGE_SELF here would report the test process that
# started this one: this process's own peak is VmHWM (reset by exec); the reading child's is RUSAGE_CHILDREN.
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"error": error, "self": hwm, "self_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, ensure_ascii=False))
"""


def measured_read(path: Path, filename: str | None = None) -> dict:
    """Read ``path`` the way an import does, in a fresh process; its peak RSS and its children's (KB)."""
    done = subprocess.run([sys.executable, "-c", MEASURE, str(ROOT), str(path), filename or path.name],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_refused(path: Path, *fragments: str, filename: str | None = None) -> None:
    """Refused in this process (read_table), by the child (read_table_isolated) and within 500 MB of RSS."""
    for read in (read_table, read_table_isolated):
        with pytest.raises(ExcelError) as caught:
            read(path, filename)
        for fragment in fragments:
            assert fragment in str(caught.value), (read.__name__, str(caught.value))
    result = measured_read(path, filename)
    assert result["error"] and all(fragment in result["error"] for fragment in fragments), result
    assert result["self"] < RSS_LIMIT_KB and result["children"] < RSS_LIMIT_KB, result


# --- finding 1: the sparse sheet -------------------------------------------------------------


def test_it_sparse_sheet_kills_a_process_that_reads_it_unguarded(tmp_path):
    """What the old code did in the job consumer: calamine asks for the whole grid from A1 and aborts."""
    path = hostile.sparse_xlsx(tmp_path / "稀疏.xlsx")
    assert path.stat().st_size < 4096
    old_read = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
        "resource.setrlimit(resource.RLIMIT_CORE, (0, 0)); "
        "from python_calamine import CalamineWorkbook; "
        "CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python(skip_empty_area=False)"
    )
    done = subprocess.run([sys.executable, "-c", old_read, str(path)], capture_output=True, text=True, timeout=120,
                          env={"RUST_BACKTRACE": "0", "PATH": "/usr/bin:/bin"})
    assert done.returncode < 0  # killed by a signal (SIGABRT), not an exception the caller could catch
    assert "memory allocation of" in done.stderr


def test_it_refuses_the_sparse_sheet_before_reading_it(tmp_path):
    path = hostile.sparse_xlsx(tmp_path / "稀疏.xlsx")
    assert_refused(path, "第1个工作表", "XFD1048576", "16384列", "超过系统上限", "200列", "请删除多余的行列")


def test_it_refuses_a_sparse_xls_before_opening_it(tmp_path):
    path = hostile.sparse_xls(tmp_path / "稀疏.xls")
    assert_refused(path, "第1个工作表", "65536列", "超过系统上限200列")


def test_it_counts_cells_written_without_references(tmp_path):
    row = '<row r="1">' + '<c t="inlineStr"><is><t>x</t></is></c>' * 300 + "</row>"
    path = hostile.write_xlsx(tmp_path / "无坐标.xlsx", [hostile.worksheet(row)])
    with pytest.raises(ExcelError, match="300列"):
        read_table(path)


def test_it_names_a_hidden_sheet_that_is_too_wide(tmp_path):
    wide = hostile.worksheet(hostile.header_row() + '<row r="2">' + hostile.inline_cell("ZZ2", "x") + "</row>")
    path = hostile.write_xlsx(tmp_path / "隐藏.xlsx", [hostile.worksheet(hostile.header_row()),
                                                      ("备用", "hidden", wide)])
    with pytest.raises(ExcelError, match="第2个工作表“备用”的数据范围达到 ZZ2"):
        read_table(path)


def test_it_reads_sheets_whose_declared_dimension_is_larger_than_their_cells(tmp_path):
    """The reader sizes its grid by the cells, not by <dimension>: a stale dimension is harmless."""
    sheet = hostile.worksheet(hostile.header_row() + "<row r=\"2\"><c r=\"A2\"><v>1</v></c>"
                              '<c r="C2" s="1"/></row><row r="1048576"><c r="XFD1048576" s="1"/></row>',
                              dimension="A1:XFD1048576")
    path = hostile.write_xlsx(tmp_path / "格式.xlsx", [sheet])
    expected = [list(hostile.HEADER_CELLS), ["1", None, None, None]]
    assert read_table(path) == expected
    assert read_table_isolated(path) == expected


def test_it_applies_the_row_column_and_cell_caps(tmp_path):
    rows = hostile.header_row() + "".join(f'<row r="{r}"><c r="D{r}"><v>{r}</v></c></row>' for r in range(2, 60))
    path = hostile.write_xlsx(tmp_path / "名册.xlsx", [hostile.worksheet(rows)])
    assert len(read_table(path)) == 59
    with pytest.raises(ExcelError, match=r"D59\(59行\),超过系统上限50行"):
        read_table(path, limits=ReadLimits(max_rows=50))
    with pytest.raises(ExcelError, match=r"\(4列\),超过系统上限3列"):
        read_table(path, limits=ReadLimits(max_columns=3))
    with pytest.raises(ExcelError, match="共236个单元格"):
        read_table(path, limits=ReadLimits(max_cells=200))


# --- finding 2: the zip bomb, and zip directories that lie ----------------------------------


@pytest.mark.heavy
def test_it_refuses_the_zip_bomb_in_bounded_memory(tmp_path):
    path = hostile.zip_bomb_xlsx(tmp_path / "炸弹.xlsx")
    assert path.stat().st_size < 1024 * 1024
    assert_refused(path, "压缩比异常", "系统上限100倍")


@pytest.mark.heavy
def test_it_refuses_the_zip_bomb_by_its_rows_when_the_ratio_is_allowed(tmp_path):
    path = hostile.zip_bomb_xlsx(tmp_path / "炸弹.xlsx", references=True)
    with pytest.raises(ExcelError, match=r"L1000001\(1000001行\),超过系统上限310000行"):
        read_table(path, limits=ReadLimits(max_ratio=100_000))


def test_it_refuses_a_member_bigger_than_declared(tmp_path):
    path = hostile.lying_size_xlsx(tmp_path / "伪造.xlsx")
    for read in (read_table, read_table_isolated):
        with pytest.raises(ExcelError, match="解压后比声明的大"):
            read(path)


def test_it_refuses_a_workbook_over_the_uncompressed_cap(tmp_path):
    rows = hostile.header_row() + "".join(
        f'<row r="{r}">{hostile.inline_cell(f"A{r}", f"第{r}行的一段备注文字")}</row>' for r in range(2, 5000))
    path = hostile.write_xlsx(tmp_path / "大.xlsx", [hostile.worksheet(rows)])
    with pytest.raises(ExcelError, match=r"文件解压后有0\.\d MB,超过系统上限0\.1 MB"):
        read_table(path, limits=ReadLimits(max_uncompressed=100 * 1024))


# --- XML attacks ----------------------------------------------------------------------------


@pytest.mark.parametrize("build", [hostile.xxe_shared_strings_xlsx, hostile.xxe_sheet_xlsx,
                                   hostile.billion_laughs_xlsx])
def test_it_refuses_xml_with_entities(tmp_path, build):
    path = build(tmp_path / "实体.xlsx")
    assert_refused(path, "不安全的XML声明", "已拒绝读取")


# --- CSV ------------------------------------------------------------------------------------


@pytest.mark.heavy
def test_it_refuses_a_csv_over_the_byte_cap(tmp_path):
    path = hostile.csv_rows(tmp_path / "大.csv", 50 * 1024 * 1024 + 4096)
    assert_refused(path, "文件过大", "超过系统上限50 MB")


@pytest.mark.heavy
def test_it_refuses_a_50_mb_csv_with_too_many_rows(tmp_path):
    path = hostile.csv_rows(tmp_path / "大.csv", 50 * 1024 * 1024 - 4096)
    assert path.stat().st_size <= 50 * 1024 * 1024
    assert_refused(path, "CSV文件的数据范围达到", "超过系统上限310000行")


def test_it_refuses_a_csv_too_wide(tmp_path):
    path = tmp_path / "宽.csv"
    path.write_text("姓名,身份证号," + ",".join(["x"] * 400) + "\n张三,1\n", encoding="utf-8")
    assert_refused(path, "CSV文件的数据范围达到", "402列", "超过系统上限200列")


# --- not spreadsheets -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "fragment"), [
    ("名册.xlsx", hostile.PDF_BYTES, "实际是PDF文档"),
    ("名册.xlsx", hostile.PNG_BYTES, "实际是PNG图片"),
    ("名册.xlsx", "姓名,身份证号\n张三,1\n".encode(), "实际是文本(CSV)文件"),
    ("名册.csv", hostile.PDF_BYTES, "实际是PDF文档"),
])
def test_it_refuses_files_with_a_wrong_extension(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    assert_refused(path, fragment)


@pytest.mark.parametrize("name", ["名册.xlsx", "名册.xls", "名册.csv", "名册"])
def test_it_refuses_random_binary(tmp_path, name):
    path = hostile.random_binary(tmp_path / name)
    assert_refused(path, "不是")


# --- the child process ----------------------------------------------------------------------


def test_it_reads_the_same_rows_in_the_child(tmp_path):
    path = tmp_path / "名册.xlsx"
    workbook = xlsxwriter.Workbook(path)
    ws = workbook.add_worksheet()
    ws.write_row(2, 1, ["姓名", "身份证号", None, "获评时间"])
    ws.write_row(3, 1, ["张三", "331102196503121230", None, 2015])
    ws.write_row(5, 2, ["只有身份证号"])
    workbook.close()
    rows = read_table(path)
    assert rows[2] == [None, "姓名", "身份证号", None, "获评时间"]
    assert rows[5] == [None, None, "只有身份证号", None, None]
    assert read_table_isolated(path) == rows
    assert read_table_isolated(path.read_bytes(), "名册.xlsx") == rows
    csv_path = tmp_path / "名册.csv"
    csv_path.write_text("姓名,身份证号\n张三,=\"0012\"\n\n", encoding="gb18030")
    assert read_table_isolated(csv_path) == read_table(csv_path) == [["姓名", "身份证号"], ["张三", "0012"]]


def test_it_stops_a_child_that_runs_out_of_memory(tmp_path):
    path = tmp_path / "名册.xlsx"
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = workbook.add_worksheet()
    for r in range(60_000):
        ws.write_row(r, 0, [f"第{r}行第{c}列" for c in range(10)])
    workbook.close()
    assert len(read_table_isolated(path)) == 60_000
    with pytest.raises(ExcelError, match="读取文件所需内存超过系统上限.80 MB"):
        read_table_isolated(path, limits=ReadLimits(memory_mb=80))


def test_it_stops_a_child_that_runs_out_of_time(tmp_path):
    path = hostile.sparse_xlsx(tmp_path / "稀疏.xlsx")
    with pytest.raises(ExcelError, match="读取文件超过0秒仍未完成"):
        read_table_isolated(path, limits=ReadLimits(seconds=0))


# --- the whole path: page, job queue and CLI ------------------------------------------------


@pytest.fixture
def job_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


@pytest.mark.django_db
def test_it_fails_only_the_job_of_a_sparse_sheet_upload(clients, users, orgs, tmp_path, job_dir,
                                                         django_capture_on_commit_callbacks):
    from laomo.core.models import Job

    path = hostile.sparse_xlsx(tmp_path / "稀疏.xlsx")
    client = clients["county_staff"]
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as fh:
        response = client.post("/workers/import/", {"file": fh, "org": orgs["331102"].pk})
    job = Job.objects.get(owner=users["county_staff"])
    assert response.status_code == 302 and response["Location"] == f"/core/jobs/{job.pk}/"
    assert job.status == "failed"
    assert "XFD1048576" in job.error and "16384列" in job.error and "200列" in job.error
    assert "请删除多余的行列" in job.error
    assert "XFD1048576" in client.get(f"/core/jobs/{job.pk}/").content.decode()
    assert client.get("/workers/").status_code == 200


@pytest.mark.django_db
def test_it_fails_the_cli_dry_run_of_a_sparse_sheet_with_the_reason(orgs, tmp_path):
    from django.core.management import CommandError, call_command

    path = hostile.sparse_xlsx(tmp_path / "稀疏.xlsx")
    with pytest.raises(CommandError, match="XFD1048576.*16384列.*超过系统上限.*200列"):
        call_command("import_roster", str(path), "--dry-run")
