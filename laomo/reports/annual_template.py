"""The default Word template of the annual report (docxtpl: Jinja tags written in Word paragraphs and table rows).

`manage.py annual_report_template OUT.docx` writes it; the association edits the wording, fonts and layout in
Word and points `LAOMO_ANNUAL_REPORT_TEMPLATE` at its copy. Tags: `title`, `subtitle`, `year`, `org`,
`sections` (each `heading`, `paragraphs`, `chart`, `chart_title`), `unit_header`, `unit_rows`, `notes`.
"""

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

COLUMNS = 8  # 单位 and the seven figures of laomo.reports.annual.UNIT_COLUMNS


def _cjk(style, size: float | None = None) -> None:
    style.font.name = "宋体"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    if size:
        style.font.size = Pt(size)


def write_default_template(path) -> None:
    doc = Document()
    _cjk(doc.styles["Normal"], 12)
    for name in ("Title", "Heading 1", "Heading 2"):
        doc.styles[name].font.name = "黑体"
        doc.styles[name].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "黑体")
    title = doc.add_paragraph("{{ title }}", style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{{ subtitle }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p for s in sections %}")
    doc.add_paragraph("{{ s.heading }}", style="Heading 1")
    doc.add_paragraph("{%p for para in s.paragraphs %}")
    body = doc.add_paragraph("{{ para }}")
    body.paragraph_format.first_line_indent = Pt(24)
    body.paragraph_format.line_spacing = 1.5
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if s.chart %}")
    doc.add_paragraph("{{ s.chart }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{{ s.chart_title }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("七、各单位主要指标", style="Heading 1")
    table = doc.add_table(rows=4, cols=COLUMNS)
    table.style = "Table Grid"
    for i in range(COLUMNS):
        table.cell(0, i).text = f"{{{{ unit_header[{i}] }}}}"
        table.cell(2, i).text = f"{{{{ row[{i}] }}}}"
    table.cell(1, 0).text = "{%tr for row in unit_rows %}"
    table.cell(3, 0).text = "{%tr endfor %}"
    doc.add_paragraph("{%p for note in notes %}")
    doc.add_paragraph("注:{{ note }}")
    doc.add_paragraph("{%p endfor %}")
    doc.save(path)
