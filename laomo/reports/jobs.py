import tempfile

from laomo.core.excel import write_xlsx
from laomo.core.jobs import job_kind
from laomo.orgs.models import OrgUnit, User

from . import annual, provincial
from .labels import flatten_summary
from .selectors import report_org, summary


@job_kind("reports.summary_xlsx")
def summary_xlsx(job, reporter, *, year: int, org: str):
    user = User.objects.get(pk=job.owner_id)
    unit = report_org(user=user, code=org)
    children = list(OrgUnit.objects.filter(parent=unit, is_active=True).order_by("sort_order", "code"))
    units = [unit] + children
    reporter(0, len(units), "正在统计")
    columns = []
    for i, u in enumerate(units, start=1):
        columns.append((u.name, flatten_summary(summary(user=user, year=year, org=u))))
        reporter(i, len(units), f"已统计 {u.name}")
    keys = [label for label, _ in columns[0][1]]
    rows = [[key] + [dict(col)[key] for _, col in columns] for key in keys]
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        write_xlsx(tmp.name, ["指标"] + [name for name, _ in columns], rows, sheet_name=f"{year}年统计")
        reporter.save_file(f"{unit.name}{year}年统计报表.xlsx", tmp.name)
    return {"units": len(units), "year": year}


@job_kind("reports.annual")
def annual_report(job, reporter, *, year: int, org: str, fmt: str):
    """The annual report (年度工作总结) of a unit as .docx or PDF."""
    user = User.objects.get(pk=job.owner_id)
    unit = report_org(user=user, code=org)
    reporter(0, 2, "正在统计")
    report = annual.build(user=user, year=year, org=unit)
    reporter(1, 2, "正在生成文档")
    name = f"{unit.name}{year}年劳模工作总结"
    if fmt == "pdf":
        reporter.save_file(f"{name}.pdf", annual.render_pdf(report))
    else:
        with tempfile.NamedTemporaryFile(suffix=".docx") as tmp:
            annual.render_docx(report, tmp.name)
            reporter.save_file(f"{name}.docx", tmp.name)
    reporter(2, 2, "已生成")
    return {"year": year, "org": org, "format": fmt}


@job_kind("reports.provincial")
def provincial_return(job, reporter, *, year: int, org: str):
    """The provincial return (上报报表) of a unit: one row per unit below it, with last year's figures and 同比."""
    user = User.objects.get(pk=job.owner_id)
    unit = report_org(user=user, code=org)
    reporter(0, 1, "正在统计")
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        units = provincial.write(tmp.name, user=user, year=year, org=unit)
        reporter.save_file(f"{unit.name}{year}年劳模工作情况统计表(上报).xlsx", tmp.name)
    reporter(1, 1, "已生成")
    return {"year": year, "org": org, "units": units}
