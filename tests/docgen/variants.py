"""Every layout variant as a function returning a Document spec (ids are the PDF file names)."""
from __future__ import annotations

from collections.abc import Callable

from .big_doc import compilation
from .budget_doc import BudgetBuilder, BudgetOptions
from .final_doc import FinalBuilder, FinalOptions
from .ledger import Ledger, SanGong
from .money import alternatives
from .other_docs import statistics_bulletin, work_report
from .spec import Document, Question, Run
from .units import make_unit, with_carry_over


def _budget(doc_id: str, kind: str, year: int, district: str, seed: int, opt: BudgetOptions | None = None,
            level: str = "区级", scope: str = "部门", desc: str = "") -> Document:
    profile, led = make_unit(kind, year, district, seed=seed, level=level, scope=scope)
    doc = BudgetBuilder(doc_id, profile, led, opt).build()
    doc.meta.description = desc
    return doc


def _final(doc_id: str, kind: str, year: int, district: str, seed: int, opt: FinalOptions | None = None,
           desc: str = "", tweak: Callable[[Ledger], None] | None = None) -> Document:
    profile, led = make_unit(kind, year, district, seed=seed, stage="决算")
    if tweak:
        tweak(led)
    doc = FinalBuilder(doc_id, profile, led, opt).build()
    doc.meta.description = desc
    return doc


def base_budget() -> Document:
    """Shanghai-template 部门预算 of a 区 文化和旅游局, cover '上海市云溪区2025年区级部门预算 / 预算主管部门：…'."""
    return _budget("base-budget", "culture", 2025, "云溪区", 11,
                   desc="区级 部门预算 in 元, 类/款/项 codes, 三公 and 机关运行经费 table, 绩效目标 forms")


def base_final() -> Document:
    """National-template 部门决算 of a 区 卫生健康委员会 with 事业收入 and a carry-over."""
    return _final("base-final", "health", 2023, "临江区", 21, tweak=_carry_over,
                  desc="部门决算 in 万元, 7-digit codes, 情况说明 per 科目, 三公 批次/人次")


def _carry_over(led: Ledger) -> None:
    """年初结转和结余 286 万元, 年末 150 万元 on the 社区卫生 项 (事业收入 funds)."""
    with_carry_over(led, "2100301", 2_860_000, 1_500_000)


def total_row_next_page() -> Document:
    """The 收入/支出预算总表 run onto a page holding only their 合计 row, whose merged cell spans 类/款/项 + 名称."""
    opt = BudgetOptions(total_alone={"income", "expenditure"},
                        repeat_header={"income": False, "expenditure": False}, sangong_false_note=True,
                        short_econ_codes=True, toc_boxed=True)
    doc = _budget("total-row-next-page", "street", 2024, "望川区", 31, opt,
                  desc="合计 row alone on the next page (6 cells instead of 9); continuation pages without header; "
                       "the 三公 table has figures and still says 本表为空表; 款 codes printed '2' for '02'; "
                       "the 目录 is ruled like a table")
    t = doc.table("expenditure")
    doc.questions.insert(0, Question(f"2024年{doc.meta.short[0]}支出预算总表合计中的基本支出是多少？",
                                     nums=[_alt_text(t.cell("合计", "基本支出"))]))
    return doc


def cover_municipal() -> Document:
    """市级 单位预算: cover '上海市2025年市级单位预算 / 预算单位：…', 编制单位, blank zeros, 人员/公用 summary columns."""
    opt = BudgetOptions(cover="municipal", split_summary=True, zero="", empty_style="note")
    return _budget("cover-municipal", "datacenter", 2025, "", 41, opt, level="市级", scope="单位",
                   desc="市级 单位预算 cover; 编制单位; zeros printed blank")


def unit_budget() -> Document:
    """区级 单位预算 of a library (scope 单位, 编制单位, 预算单位 titles) with 事业收入."""
    opt = BudgetOptions(cover="unit", split_summary=True)
    return _budget("unit-budget", "library", 2025, "云溪区", 51, opt, scope="单位",
                   desc="单位预算 (not 部门): '预算单位…' titles, 编制单位, 财政拨款 plus 事业收入")


def empty_budget_tables() -> Document:
    """Empty 政府性基金/国有资本 tables printed as one blank row and a blank 合计 row, with no note."""
    doc = _budget("empty-blank-total", "sports", 2024, "北岭区", 61, BudgetOptions(empty_style="blank_total"),
                  desc="empty tables: a blank row and a blank 合计 row, no 本表为空表 note")
    doc.questions.insert(0, Question(f"2024年{doc.meta.short[0]}政府性基金预算支出是多少？", nums=[[0]]))
    return doc


def long_table_repeat_header() -> Document:
    """A 教育局 whose function tables run over several pages, the header repeated on each."""
    return _budget("long-table-repeat-header", "education", 2025, "临江区", 71,
                   desc="function tables over 2-3 pages with the three header rows repeated")


def missing_table_pages() -> Document:
    """The 经济分类 table's pages are missing; the 目录 (with page numbers) still lists it, page footers jump."""
    opt = BudgetOptions(missing={"basic_econ"}, toc_pages=True, page_numbers=True)
    doc = _budget("missing-table-pages", "justice", 2025, "东滩区", 81, opt,
                  desc="the 一般公共预算基本支出经济分类 table's pages are absent; 目录 page numbers refer to the full file")
    doc.cells = [c for c in doc.cells if c.table != "basic_econ"]
    doc.questions.insert(0, Question(f"2025年{doc.meta.short[0]}一般公共预算基本支出中办公费是多少？", want="unknown"))
    return doc


def cover_year_own_line() -> Document:
    """决算 cover whose year sits lower than '年度部门决算', so it extracts on its own line after it."""
    cover = [(243.0, [Run("上海市北岭区体育局", 32)]),
             (318.0, [Run("2024", 32, dy=5.0), Run(" 年度部门决算", 32)])]
    return _final("cover-year-own-line", "sports", 2024, "北岭区", 91, FinalOptions(cover=cover),
                  desc="cover extracts as '…局 / 年度部门决算 / 2024'")


def cover_split_unit() -> Document:
    """决算 cover with the unit split over two lines: '中共上海市望川区委 / 社会工作部 2024 年度 / 部门决算'."""
    cover = [(220.0, [Run("中共上海市望川区委", 32)]), (282.0, [Run("社会工作部 2024 年度", 32)]),
             (344.0, [Run("部门决算", 32)])]
    return _final("cover-split-unit", "socialwork", 2024, "望川区", 101, FinalOptions(cover=cover),
                  desc="unit name broken across cover lines, year mid-line")


def final_split_codes() -> Document:
    """决算 tables with 类/款/项 code columns and the 合计 row fused into the 类|款|项 header row."""
    return _final("final-split-codes", "market", 2023, "澄江区", 111, FinalOptions(split_codes=True, rule="line"),
                  desc="codes in 类/款/项 columns; the row '类 款 项 合计 <totals>' is both header and total row")


def quotes_displaced() -> Document:
    """Titles whose “ ” sit high: '财政拨款 三公 经费支出决算表' under a stray '“ ”' line, also in the 目录."""
    return _final("quotes-displaced", "veterans", 2024, "东滩区", 121, FinalOptions(raise_quotes=True),
                  desc="quoted words in titles extract with the quotes on a separate line above")


def empty_final_tables() -> Document:
    """决算 of a body with no 三公: the 三公 table is only its header, then 说明：…本表无数据; template line kept."""
    return _final("empty-final-tables", "archives", 2022, "丰湖区", 131,
                  FinalOptions(empty_sangong=True, instruction_line=True), tweak=_no_sangong,
                  desc="三公 table header only + 说明; 政府性基金/国有资本 notes preceded by the template instruction")


def _no_sangong(led: Ledger) -> None:
    """Move the 三公 spending out of the ledger (into 其他商品和服务支出)."""
    moved = led.econ.get("30217", 0) + led.econ.get("30231", 0)
    led.econ["30217"], led.econ["30231"] = 0, 0
    led.econ["30299"] += moved
    led.sangong, led.sangong_prev = SanGong(), SanGong()


def long_table_no_repeat() -> Document:
    """决算 of a 民政局 with many 科目: tables continue on the next page without their header; ruled with lines."""
    return _final("long-table-no-repeat", "civil", 2022, "云溪区", 141,
                  FinalOptions(rule="line", page_numbers=True, table_unit="上海市民政局"),
                  desc="long 收入/支出决算表 continue without header rows; stroked lines; page numbers; the tables' "
                       "supertitle names the unit without its 区 ('上海市民政局 2022 年度部门决算表')")


def other_statistics() -> Document:
    """A 统计公报: not a disclosure."""
    return statistics_bulletin("other-statistics-bulletin")


def other_work_report() -> Document:
    """A 政府工作报告: not a disclosure."""
    return work_report("other-work-report")


def big_compilation() -> Document:
    """500 pages: a 教育局's 部门预算 followed by every school's 单位预算 tables."""
    return compilation("big-500-pages")


def _alt_text(printed: str) -> list[float | int]:
    value = int(printed.replace(",", ""))
    return alternatives(value, "元")


VARIANTS: dict[str, Callable[[], Document]] = {
    "base-budget": base_budget,
    "base-final": base_final,
    "total-row-next-page": total_row_next_page,
    "cover-municipal": cover_municipal,
    "unit-budget": unit_budget,
    "empty-blank-total": empty_budget_tables,
    "long-table-repeat-header": long_table_repeat_header,
    "missing-table-pages": missing_table_pages,
    "cover-year-own-line": cover_year_own_line,
    "cover-split-unit": cover_split_unit,
    "final-split-codes": final_split_codes,
    "quotes-displaced": quotes_displaced,
    "empty-final-tables": empty_final_tables,
    "long-table-no-repeat": long_table_no_repeat,
    "other-statistics-bulletin": other_statistics,
    "other-work-report": other_work_report,
    "big-500-pages": big_compilation,
}
