"""Roster export: the same columns the importer reads, so a full export re-imports with no change."""

from django.utils import timezone

from laomo.core.excel import write_xlsx

from .models import BenefitCategory, EmploymentStatus, Honor

HEADERS = ["劳模编号", "姓名", "性别", "民族", "出生日期", "身份证号", "联系电话", "所属地区", "工作单位", "职务",
           "荣誉称号", "获评年份", "在职状态", "政治面貌", "学历", "通讯地址"]
# The roster export adds the official fields after the importer's columns (the importer does not read them:
# a re-import leaves them as they are).
ROSTER_HEADERS = [*HEADERS, "享受待遇类别", "表彰机关", "表彰文号", "证书编号"]
TEXT_COLUMNS = ["劳模编号", "身份证号", "联系电话", "出生日期", "表彰文号", "证书编号"]
SEX = {"M": "男", "F": "女"}
STATUS = dict(EmploymentStatus.choices)
BENEFIT = dict(BenefitCategory.choices)


def export_filename(full: bool) -> str:
    return f"劳模名册{'(完整)' if full else ''}{timezone.localdate():%Y%m%d}.xlsx"


def honor_cell(honors) -> str:
    """'2015年浙江省劳动模范、2010年丽水市劳动模范' — the year travels with each honor."""
    return "、".join(f"{h.year}年{h.title}" if h.year else h.title for h in honors)


def award_year_cell(honors) -> str:
    """The most recent award year, when every honor has one.

    Each honor also carries its own year in the 荣誉称号 cell, which the importer prefers; the
    column is left empty when some honor has no year, so a re-import never gives it one.
    """
    years = [h.year for h in honors]
    if not years or not all(years):
        return ""
    return str(max(years))


def _rows(qs, full: bool, progress=None):
    chunk: list = []
    done = 0
    for worker in qs.select_related("org").iterator(chunk_size=2000):
        chunk.append(worker)
        if len(chunk) == 2000:
            yield from _chunk_rows(chunk, full)
            done += len(chunk)
            chunk = []
            if progress is not None:
                progress(done, None, f"已导出 {done} 条")
    if chunk:
        yield from _chunk_rows(chunk, full)


def honors_field_cell(honors, field: str) -> str:
    """One honor field (文号, 证书编号…) of each honor in the 荣誉称号 cell's order, joined with 、 (blanks skipped)."""
    return "、".join(getattr(h, field) for h in honors if getattr(h, field))


def _chunk_rows(workers, full: bool):
    honors: dict[int, list] = {w.pk: [] for w in workers}
    for h in (Honor.objects.filter(worker_id__in=list(honors), is_deleted=False)
              .only("worker_id", "title", "year", "awarding_body", "document_no", "certificate_no")
              .order_by("-year", "id")):
        honors[h.worker_id].append(h)
    for w in workers:
        yield [
            w.worker_no, w.name, SEX.get(w.sex, ""), w.ethnicity,
            w.birth_date.strftime("%Y-%m-%d") if w.birth_date else "",
            (w.id_number if full else w.id_number_masked) or "",
            (w.phone if full else w.phone_masked) or "",
            w.org.short_name or w.org.name, w.employer, w.job_title, honor_cell(honors[w.pk]),
            award_year_cell(honors[w.pk]),
            STATUS.get(w.employment_status, ""), w.political_status, w.education,
            (w.address if full else ("***" if w.address else "")),
            BENEFIT.get(w.benefit_category, ""), honors_field_cell(honors[w.pk], "awarding_body"),
            honors_field_cell(honors[w.pk], "document_no"), honors_field_cell(honors[w.pk], "certificate_no"),
        ]


def write_roster(target, qs, *, full: bool, progress=None) -> int:
    return write_xlsx(target, ROSTER_HEADERS, _rows(qs, full, progress), text_columns=TEXT_COLUMNS,
                      sheet_name="劳模名册")


def write_template(target) -> int:
    example = [["", "张三", "男", "汉族", "1965-03-12", "331102196503120016", "138-0578-1234", "莲都区",
                "丽水某某科技有限公司", "车间主任", "浙江省劳动模范", "2015", "在职", "中共党员", "大学专科",
                "丽水市莲都区某路1号"]]
    return write_xlsx(target, HEADERS, example, text_columns=TEXT_COLUMNS, sheet_name="劳模名册")
