"""Award decisions (表彰决定, issue 13 item 3): the parser, the matching against the registry, the page and
the service that writes the honors."""

from __future__ import annotations

import io
import re
from datetime import date

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.workers import selectors, services
from laomo.workers.decisions import DecisionError, _normalize, find_doc_no, parse_decision, text_from_upload
from laomo.workers.models import LEVEL_RANK, Honor, Worker

from .factories import make_id, make_worker

TODAY = date(2026, 6, 1)
ROW = re.compile(r'data-testid="review-row" data-status="(\w+)" data-name="([^"]+)" data-unit="([^"]*)"')

SIMPLE = """丽水市人民政府关于表彰2025年度丽水市劳动模范和先进工作者的决定
丽政发〔2025〕12号

各县(市、区)人民政府,市政府直属各单位:
    为表彰先进,市政府决定授予以下同志“丽水市劳动模范”称号:
莲都区(3名)
张三(莲都区某某公司总经理)、李四 王五
青田县（2名）
赵　六　钱七（女，畲族，青田县某厂工人）
市直单位:孙八、周九
授予以下同志"丽水市先进工作者"称号:
一、龙泉市
吴十

希望受表彰的同志珍惜荣誉，再接再厉。

丽水市人民政府
2025年4月28日
"""


def parse(text, **kwargs):
    return parse_decision(text, today=TODAY, **kwargs)


def people(decision):
    return [(e.unit, e.name, e.title) for e in decision.entries]


# --- the parser ---------------------------------------------------------------------------------------------


def test_it_parses_title_number_year_date_and_the_names_by_unit():
    decision = parse(SIMPLE)
    assert decision.title == "丽水市人民政府关于表彰2025年度丽水市劳动模范和先进工作者的决定"
    assert (decision.doc_no, decision.year, decision.issuer) == ("丽政发〔2025〕12号", 2025, "丽水市人民政府")
    assert decision.award_date == date(2025, 4, 28)
    model, advanced = "丽水市劳动模范", "丽水市先进工作者"
    assert people(decision) == [
        ("莲都区", "张三", model), ("莲都区", "李四", model), ("莲都区", "王五", model),
        ("青田县", "赵六", model), ("青田县", "钱七", model),
        ("市本级", "孙八", model), ("市本级", "周九", model),
        ("龙泉市", "吴十", advanced),
    ]
    assert {(e.level, e.kind) for e in decision.entries if e.title == model} == {("municipal", "model_worker")}
    assert {(e.level, e.kind) for e in decision.entries if e.title == advanced} == {("municipal", "advanced_worker")}
    zhang, qian = decision.entries[0], decision.entries[4]
    assert zhang.employer == "莲都区某某公司总经理"
    assert (qian.employer, qian.sex, qian.ethnicity) == ("青田县某厂工人", "F", "畲族")
    assert decision.warnings == []


@pytest.mark.parametrize(("text", "expected"), [
    ("丽政发〔2025〕12号", ("丽政发〔2025〕12号", 2025)),
    ("丽政发[2025]12号", ("丽政发〔2025〕12号", 2025)),
    ("丽政发(2025)12号", ("丽政发〔2025〕12号", 2025)),
    ("丽政发（2025）12号", ("丽政发〔2025〕12号", 2025)),
    ("丽政发［2025］012号", ("丽政发〔2025〕12号", 2025)),
    ("丽总工【2023】7号", ("丽总工〔2023〕7号", 2023)),
    ("浙政发〔2024〕3号", ("浙政发〔2024〕3号", 2024)),
    ("文号:丽政发 〔 2025 〕 12 号", ("丽政发〔2025〕12号", 2025)),
    ("2025年4月28日", ("", None)),
])
def test_it_reads_the_document_number_in_every_bracket_form(text, expected):
    assert find_doc_no(_normalize(text)) == expected


@pytest.mark.parametrize(("issuer_title", "grant", "expected"), [
    ("浙江省人民政府关于表彰2024年度浙江省劳动模范的决定\n浙政发〔2024〕3号", "“浙江省劳动模范”",
     ("浙江省劳动模范", "provincial", "model_worker", 2024)),
    ("中华全国总工会关于授予2023年全国五一劳动奖章的决定\n总工发〔2023〕9号", "全国五一劳动奖章",
     ("全国五一劳动奖章", "national", "may_day_medal", 2023)),
    ("莲都区人民政府关于表彰先进工作者的决定\n莲政发(2022)5号", "“先进工作者”",
     ("莲都区先进工作者", "county", "advanced_worker", 2022)),
    ("丽水市总工会关于命名2021年度“丽水工匠”的决定", "“丽水工匠”", ("丽水工匠", "municipal", "craftsman", 2021)),
    ("龙泉市人民政府关于表彰劳动模范的决定\n龙政发〔2020〕1号", "“劳动模范”",
     ("龙泉市劳动模范", "county", "model_worker", 2020)),
])
def test_it_takes_level_and_kind_from_the_title_or_the_issuer(issuer_title, grant, expected):
    decision = parse(f"{issuer_title}\n决定授予以下同志{grant}称号:\n莲都区:张三、李四\n")
    assert {(e.title, e.level, e.kind, decision.year) for e in decision.entries} == {expected}


def test_it_reads_heading_sections_numbered_units_and_spaced_names():
    decision = parse("""关于表彰2025年度丽水市劳动模范的决定
一、丽水市劳动模范(5名)
(一)莲都区(2名)
张　三      李四五
(二)景宁县
蓝　花(女,畲族)
雷　明
1.市直单位(1名)
周九(丽水学院教授)
""")
    assert [(unit, name) for unit, name, _ in people(decision)] == [
        ("莲都区", "张三"), ("莲都区", "李四五"), ("景宁畲族自治县", "蓝花"), ("景宁畲族自治县", "雷明"),
        ("市本级", "周九")]
    assert {title for _, _, title in people(decision)} == {"丽水市劳动模范"}
    assert decision.doc_no == "" and decision.year == 2025
    assert decision.warnings == ["未识别到文号(如 丽政发〔2025〕12号)"]


def test_it_reads_a_decision_without_unit_headers_and_a_title_over_two_lines():
    decision = parse("""丽水市人民政府关于表彰2024年度丽水市
劳动模范的决定
丽政发〔2024〕3号
授予张三等3名同志“丽水市劳动模范”称号。
张三、李四、
王五
特此决定。
""")
    assert decision.title == "丽水市人民政府关于表彰2024年度丽水市劳动模范的决定"
    assert people(decision) == [("", name, "丽水市劳动模范") for name in ("张三", "李四", "王五")]
    assert decision.warnings == []


def test_it_reads_name_tables_with_the_employer_in_the_next_column():
    decision = parse("""浙江省人民政府关于表彰2024年度浙江省劳动模范的决定
浙政发〔2024〕3号
授予以下同志“浙江省劳动模范”称号:
丽水市(3名)
序号\t姓名\t工作单位及职务
1\t张　三\t莲都区某某公司总经理
2  李四五  青田县某厂 工人
王五 龙泉市某校教师
浙江省人民政府
""")
    assert [(e.unit, e.name, e.employer) for e in decision.entries] == [
        ("丽水市", "张三", "莲都区某某公司总经理"), ("丽水市", "李四五", "青田县某厂 工人"),
        ("丽水市", "王五", "龙泉市某校教师")]
    assert {(e.title, e.level, e.kind) for e in decision.entries} == {("浙江省劳动模范", "provincial", "model_worker")}
    assert (decision.doc_no, decision.year, decision.warnings) == ("浙政发〔2024〕3号", 2024, [])


def test_it_warns_of_counts_that_do_not_match_and_of_names_listed_twice():
    decision = parse("""丽水市人民政府关于表彰2025年度丽水市劳动模范的决定
丽政发〔2025〕12号
授予以下4名同志“丽水市劳动模范”称号:
莲都区(3名)
张三、李四
青田县:王五、王五
""")
    assert decision.warnings == [
        "“丽水市劳动模范”中莲都区标注3名,实际识别2名,请核对",
        "“丽水市劳动模范”中青田县“王五”出现2次,请核对是否为同名的不同人员",
    ]


def test_it_does_not_take_the_preamble_the_closing_words_or_the_signature_for_names():
    decision = parse("""丽水市人民政府关于表彰2025年度丽水市劳动模范和先进工作者的决定
丽政发〔2025〕12号
市政府决定授予张三等2名同志“丽水市劳动模范”称号,授予李四等1名同志“丽水市先进工作者”称号。
一、丽水市劳动模范(2名)
莲都区:张三、王五
二、丽水市先进工作者(1名)
青田县:李四
全市广大职工要以受表彰的先进为榜样,奋发进取。
中共丽水市委
丽水市人民政府
2025年4月28日
""")
    assert [(e.name, e.title) for e in decision.entries] == [
        ("张三", "丽水市劳动模范"), ("王五", "丽水市劳动模范"), ("李四", "丽水市先进工作者")]
    assert decision.warnings == []


@pytest.mark.parametrize(("text", "message"), [
    ("", "请粘贴或上传表彰决定的全文。"),
    ("   \n  ", "请粘贴或上传表彰决定的全文。"),
    ("今天天气很好,大家一起去爬山。", "未找到“授予……称号”的表彰内容"),
    ("关于表彰2025年度丽水市劳动模范的决定\n授予以下同志“丽水市劳动模范”称号:\n希望大家再接再厉,争创佳绩。",
     "未识别到任何受表彰人员姓名"),
    ("关于表彰2030年度丽水市劳动模范的决定\n授予以下同志“丽水市劳动模范”称号:\n张三", "表彰年度2030不合理"),
])
def test_it_refuses_text_it_cannot_read_in_chinese(text, message):
    with pytest.raises(DecisionError, match=message):
        parse(text)


def test_it_warns_of_an_honor_it_does_not_know():
    decision = parse("""关于表彰2025年度先进的决定
授予以下同志“优秀共产党员”称号:
张三
授予以下同志“丽水市劳动模范”称号:
李四
""")
    assert [e.name for e in decision.entries] == ["李四"]
    assert any("优秀共产党员" in w for w in decision.warnings)


def test_it_reads_txt_and_docx_uploads():
    assert text_from_upload("a.txt", SIMPLE.encode("gb18030")) == SIMPLE
    assert text_from_upload("a.TXT", SIMPLE.encode("utf-8-sig")) == SIMPLE
    document = docx.Document()
    document.add_paragraph("丽水市人民政府关于表彰2025年度丽水市劳动模范的决定")
    document.add_paragraph("授予以下同志“丽水市劳动模范”称号:")
    table = document.add_table(rows=4, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "姓名", "工作单位及职务"
    table.cell(1, 0).text, table.cell(1, 1).text = "莲都区(2名)", "张三、李四"
    table.cell(2, 0).text, table.cell(2, 1).text = "青田县(1名)", "王五"
    table.cell(3, 0).text, table.cell(3, 1).text = "龙泉市:赵六", "龙泉市某校教师"
    buffer = io.BytesIO()
    document.save(buffer)
    decision = parse(text_from_upload("决定.docx", buffer.getvalue()))
    assert [(e.unit, e.name, e.employer) for e in decision.entries] == [
        ("莲都区", "张三", ""), ("莲都区", "李四", ""), ("青田县", "王五", ""), ("龙泉市", "赵六", "龙泉市某校教师")]
    with pytest.raises(DecisionError, match="另存为 .docx"):
        text_from_upload("决定.doc", b"\xd0\xcf")
    with pytest.raises(DecisionError, match="无法读取"):
        text_from_upload("决定.docx", b"not a zip")


PIECES = ["丽水市人民政府关于表彰2025年度丽水市劳动模范的决定", "丽政发〔2025〕12号",
          "授予以下同志“丽水市劳动模范”称号:", "一、丽水市先进工作者(3名)", "莲都区(2名)", "青田县:", "张三、李四",
          "王 五 赵六(某公司)", "(", ")", "、", ":", "希望再接再厉。", "2025年4月28日", "2025年2月30日", "名", "\t",
          "  ", "\n", "（", "）", "授予", "称号", "“", "”"]


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=25))
def test_it_reads_any_text_or_refuses_it_in_chinese(pieces):
    text = "\n".join(pieces) if len(pieces) % 2 else "".join(pieces)
    try:
        decision = parse(text)
    except DecisionError as exc:
        assert re.search(r"[\u4e00-\u9fff]", str(exc))
        return
    assert decision.entries and all(e.name and e.title and e.level and e.kind for e in decision.entries)


# --- the acceptance test: 60 names in 10 units ------------------------------------------------------------

UNITS = ["331101", "331102", "331121", "331122", "331123", "331124", "331125", "331126", "331127", "331181"]
HEADERS = {"331101": "市直单位", "331127": "景宁县"}  # as decisions write them
SURNAMES = "赵钱孙李周吴郑冯陈褚"
GIVEN = "一二三四五六"
MODEL, ADVANCED = "丽水市劳动模范", "丽水市先进工作者"


def person(unit: int, j: int) -> str:
    return f"{SURNAMES[unit]}某{GIVEN[j]}"


def unit_name(orgs, code):
    return HEADERS.get(code, orgs[code].short_name)


def big_decision(orgs, units=UNITS) -> str:
    lines = ["丽水市人民政府关于表彰2025年度丽水市劳动模范和先进工作者的决定", "丽政发〔2025〕12号", "",
             "各县(市、区)人民政府,市政府直属各单位:",
             "为表彰先进,市政府决定授予赵某一等40名同志“丽水市劳动模范”称号,授予赵某五等20名同志“丽水市先进工作者”称号。",
             "一、授予以下同志“丽水市劳动模范”称号(40名):"]
    for u, code in enumerate(units):
        lines.append(f"{unit_name(orgs, code)}（4名）")
        lines.append("、".join(f"{person(u, j)}(某某公司职工)" for j in range(4)))
    lines.append("二、授予以下同志“丽水市先进工作者”称号(20名):")
    for u, code in enumerate(units):
        lines.append(f"{unit_name(orgs, code)}:{person(u, 4)} {person(u, 5)}")
    lines += ["", "希望受表彰的同志珍惜荣誉,再接再厉。", "丽水市人民政府", "2025年4月28日"]
    return "\n".join(lines)


@pytest.fixture
def registered(orgs, users):
    """Per unit the first two named (matched); two names with two workers each in one unit (ambiguous); one who
    already holds the honor; one namesake in another unit only (so new); one of the 先进工作者 (matched)."""
    made = {}
    for u, code in enumerate(UNITS):
        for j in (0, 1):
            made[(u, j)] = make_worker(orgs[code], person(u, j), id_number=make_id())
    made["amb0"] = [make_worker(orgs["331101"], person(0, 2), employer="丽水学院"),
                    make_worker(orgs["331101"], person(0, 2), employer="市人民医院")]
    made["amb1"] = [make_worker(orgs["331102"], person(1, 2), employer="莲都某厂"),
                    make_worker(orgs["331102"], person(1, 2), employer="莲都某校")]
    made["held"] = make_worker(orgs["331121"], person(2, 2), honors=[(MODEL, 2025), ("浙江省劳动模范", 2015)])
    made["elsewhere"] = make_worker(orgs["331126"], person(3, 3))  # 孙某四 is listed for 缙云县, not 庆元县
    made["adv"] = make_worker(orgs["331124"], person(5, 4))
    return made


def expected_review():
    expected = {}
    for u, code in enumerate(UNITS):
        for j in range(6):
            expected[(code, person(u, j))] = "matched" if j in (0, 1) else "new"
    expected[("331101", person(0, 2))] = expected[("331102", person(1, 2))] = "ambiguous"
    expected[("331121", person(2, 2))] = "has_honor"
    expected[("331124", person(5, 4))] = "matched"
    return expected


def review_rows(response, orgs):
    assert response.status_code == 200
    by_unit = {unit_name(orgs, code): code for code in UNITS} | {"市本级": "331101", "景宁畲族自治县": "331127"}
    return {(by_unit[unit], name): status for status, name, unit in ROW.findall(response.content.decode())}


@pytest.mark.django_db
def test_it_reviews_and_applies_a_decision_of_60_names_in_10_units(clients, users, orgs, registered):
    client = clients["city_staff"]
    text = big_decision(orgs)
    review = client.post("/workers/decisions/", {"text": text})
    expected = expected_review()
    rows = review_rows(review, orgs)
    assert len(ROW.findall(review.content.decode())) == 60
    assert rows == expected
    page = review.content.decode()
    assert "丽政发〔2025〕12号" in page and "同名多人,请选择" in page and "已有此荣誉" in page
    assert "丽水学院" in page and "市人民医院" in page  # the namesakes are shown with their employer
    counts = {status: list(expected.values()).count(status) for status in set(expected.values())}
    assert counts == {"matched": 21, "new": 36, "ambiguous": 2, "has_honor": 1}

    decision = parse_decision(text, services.place_kind_from_orgs())
    index = {(e.unit, e.name): i for i, e in enumerate(decision.entries)}
    accept = [i for i, e in enumerate(decision.entries)
              if expected[(UNITS[SURNAMES.index(e.name[0])], e.name)] in ("matched", "new")]
    pick = registered["amb0"][1]
    post = {"text": text, "accept": [str(i) for i in accept], f"pick-{index[('市本级', person(0, 2))]}": str(pick.pk),
            f"pick-{index[('莲都区', person(1, 2))]}": ""}
    before, last_worker = Honor.objects.count(), Worker.objects.order_by("-pk").first().pk
    response = client.post("/workers/decisions/apply/", post)
    assert response.status_code == 302 and response["Location"] == "/workers/decisions/"

    written = Honor.objects.filter(document_no="丽政发〔2025〕12号").select_related("worker__org")
    assert Honor.objects.count() - before == 58 == written.count()
    assert {(h.worker.org.code, h.worker.name, h.title) for h in written} == {
        (code, name, MODEL if GIVEN.index(name[-1]) < 4 else ADVANCED)
        for (code, name), status in expected.items() if status in ("matched", "new")} | {
        ("331101", person(0, 2), MODEL)}
    assert {(h.level, h.kind, h.year, h.award_date, h.awarding_body) for h in written if h.title == MODEL} == {
        ("municipal", "model_worker", 2025, date(2025, 4, 28), "丽水市人民政府")}
    assert {h.kind for h in written if h.title == ADVANCED} == {"advanced_worker"}
    assert pick.honors.filter(document_no="丽政发〔2025〕12号").exists()
    assert not registered["amb0"][0].honors.exists()
    assert not Honor.objects.filter(worker__in=registered["amb1"]).exists()
    assert registered["held"].honors.count() == 2

    drafts = Worker.objects.filter(pk__gt=last_worker)
    assert drafts.count() == 36
    assert all(w.is_incomplete and w.worker_no.startswith("LM") for w in drafts)
    assert {(w.name[-1] in "五六", w.employer) for w in drafts} == {(False, "某某公司职工"), (True, "")}
    assert set(drafts.values_list("honors__document_no", flat=True)) == {"丽政发〔2025〕12号"}
    assert Worker.objects.get(org=orgs[UNITS[3]], name=person(3, 3)).highest_level_rank == LEVEL_RANK["municipal"]
    assert registered["elsewhere"].honors.count() == 0  # a namesake in another unit is not the person
    registered["held"].refresh_from_db()
    assert registered["held"].highest_level_rank == LEVEL_RANK["provincial"]
    assert set(drafts.values_list("highest_level_rank", flat=True)) == {LEVEL_RANK["municipal"]}
    registered["adv"].refresh_from_db()
    assert registered["adv"].highest_level_rank == LEVEL_RANK["municipal"]

    entry = AuditEntry.objects.get(action="workers.decision.apply")
    assert entry.changes == {"document_no": "丽政发〔2025〕12号", "title": decision.title, "year": 2025,
                             "honors": 58, "new_workers": 36, "existing_workers": 22, "skipped": 2, "entries": 60}
    assert not AuditEntry.objects.filter(action="workers.worker.create", created_at__gte=entry.created_at).exists()

    # The same decision again: every name now holds the honor or is the unresolved namesake; nothing is added.
    again = review_rows(client.post("/workers/decisions/", {"text": text}), orgs)
    assert again == {key: "ambiguous" if key == ("331102", person(1, 2)) else "has_honor" for key in expected}
    client.post("/workers/decisions/apply/", post)
    assert Honor.objects.count() - before == 58 and Worker.objects.count() == 20 + 7 + 36


@pytest.mark.django_db
def test_it_matches_a_county_clerk_only_within_the_county(clients, users, orgs, registered):
    text = big_decision(orgs)
    rows = review_rows(clients["county_staff"].post("/workers/decisions/", {"text": text}), orgs)
    expected = {key: (status if key[0] == "331102" else "out_of_scope") for key, status in expected_review().items()}
    assert rows == expected
    decision = parse_decision(text, services.place_kind_from_orgs())
    # A forged form ticking every row writes only the county's rows.
    counts = services.decision_apply(actor=users["county_staff"], decision=decision,
                                     choices=dict.fromkeys(range(60), "auto"))
    assert counts["honors"] == 5 and counts["new_workers"] == 3
    assert set(Honor.objects.filter(document_no="丽政发〔2025〕12号").values_list("worker__org__code", flat=True)) == {
        "331102"}


@pytest.mark.django_db
def test_it_refuses_a_candidate_that_is_not_one_of_the_namesakes(users, orgs, registered):
    decision = parse_decision(big_decision(orgs), services.place_kind_from_orgs())
    index = next(i for i, e in enumerate(decision.entries) if e.name == person(0, 2))
    with pytest.raises(Exception, match="所选人员不在候选名单中"):
        services.decision_apply(actor=users["city_staff"], decision=decision,
                                choices={0: "auto", index: str(registered["elsewhere"].pk)})
    assert not Honor.objects.filter(document_no="丽政发〔2025〕12号").exists()


@pytest.mark.django_db
def test_it_reviews_in_a_constant_number_of_queries(users, orgs, registered, django_assert_max_num_queries):
    decision = parse_decision(big_decision(orgs), services.place_kind_from_orgs())
    with django_assert_max_num_queries(5):
        rows = selectors.decision_review(user=users["city_staff"], decision=decision)
    assert len(rows) == 60


@pytest.mark.django_db
def test_it_renders_the_review_in_the_same_number_of_queries_for_6_or_60_names(clients, orgs, registered):
    client = clients["city_staff"]
    counts = []
    for units in (UNITS[1:2], UNITS):
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/workers/decisions/", {"text": big_decision(orgs, units)}, HTTP_HX_REQUEST="true")
        assert len(ROW.findall(response.content.decode())) == 6 * len(units)
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_it_matches_without_unit_headers_across_the_users_scope(users, orgs):
    zhang = make_worker(orgs["331102"], "张三")
    make_worker(orgs["331126"], "李四")
    decision = parse_decision("关于表彰2025年度丽水市劳动模范的决定\n"
                              "授予以下同志“丽水市劳动模范”称号:\n张三、李四、王五\n")
    rows = selectors.decision_review(user=users["county_staff"], decision=decision)
    assert [(r.entry.name, r.status, r.worker) for r in rows] == [("张三", "matched", zhang), ("李四", "new", None),
                                                                  ("王五", "new", None)]
    assert rows[1].org == orgs["331102"]  # a new person goes to the clerk's unit
    rows = selectors.decision_review(user=SYSTEM, decision=decision)
    assert [r.status for r in rows] == ["matched", "matched", "new"]


# --- the page ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_the_page_to_roles_without_import_data(clients):
    for role in ("viewer", "team_leader", "worker", "sysadmin"):
        assert clients[role].get("/workers/decisions/").status_code == 403, role
        assert clients[role].post("/workers/decisions/", {"text": SIMPLE}).status_code == 403, role
        assert clients[role].post("/workers/decisions/apply/", {"text": SIMPLE, "accept": ["0"]}).status_code == 403
    assert not Honor.objects.exists()
    assert clients["county_staff"].get("/workers/decisions/").status_code == 200


@pytest.mark.django_db
def test_it_links_the_page_from_the_list_and_the_import_page(clients):
    assert "/workers/decisions/" in clients["county_staff"].get("/workers/").content.decode()
    assert "/workers/decisions/" in clients["county_staff"].get("/workers/import/").content.decode()
    assert "/workers/decisions/" not in clients["viewer"].get("/workers/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "message"), [
    ({"text": ""}, "请粘贴或上传表彰决定的全文。"),
    ({"text": "只是一段普通的通知文字。"}, "未找到“授予……称号”的表彰内容"),
    ({"text": "关于表彰的决定\n授予以下同志“丽水市劳动模范”称号:\n各单位要认真组织学习。"},
     "未识别到任何受表彰人员姓名"),
    ({"text": "", "file": SimpleUploadedFile("决定.pdf", b"%PDF")}, "暂不支持该格式"),
])
def test_it_explains_bad_input_in_chinese_and_keeps_the_text(clients, data, message):
    response = clients["county_staff"].post("/workers/decisions/", data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert 'data-testid="decision-summary"' not in page
    if data["text"]:
        assert data["text"].splitlines()[0] in page


@pytest.mark.django_db
def test_it_reviews_an_uploaded_file_as_an_htmx_partial(clients, orgs):
    make_worker(orgs["331102"], "张三")
    upload = SimpleUploadedFile("决定.txt", SIMPLE.encode("gb18030"))
    response = clients["county_staff"].post("/workers/decisions/", {"text": "", "file": upload},
                                            HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page and 'id="decision-box"' in page
    rows = ROW.findall(page)
    assert ("matched", "张三", "莲都区") in rows and ("new", "李四", "莲都区") in rows
    assert ("out_of_scope", "钱七", "青田县") in rows and len(rows) == 8


@pytest.mark.django_db
def test_it_reports_a_changed_text_on_apply_without_writing(clients):
    response = clients["county_staff"].post("/workers/decisions/apply/", {"text": "", "accept": ["0"]}, follow=True)
    assert "请粘贴或上传表彰决定的全文。" in response.content.decode()
    assert not Honor.objects.exists() and not AuditEntry.objects.filter(action="workers.decision.apply").exists()
