"""A 部门决算 following the national template (万元 throughout, 7-digit codes, 情况说明 with 年初预算 vs 决算)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .builder import DocBuilder
from .catalog import CN_NUM, ECON, FINAL_CLASSES, FINAL_ECON_LEFT, FINAL_ECON_RIGHT, name, path_name
from .ledger import Ledger
from .money import pct, wan, wan_text
from .profile import Profile
from .spec import Cell, CellFact, Cover, Document, Meta, Row, Run, Style, Table, Toc, TocEntry

TERMS = [
    "一、财政拨款收入：指单位本年度从本级财政部门取得的财政拨款，包括一般公共预算财政拨款、政府性基金预算财政拨款和国有资本"
    "经营预算财政拨款。",
    "二、事业收入：指事业单位开展专业业务活动及其辅助活动取得的收入。",
    "三、经营收入：指事业单位在专业业务活动及其辅助活动之外开展非独立核算经营活动取得的收入。",
    "四、其他收入：指单位取得的除“财政拨款收入”、“事业收入”、“经营收入”等以外的收入。",
    "五、年初结转和结余：指以前年度尚未完成、结转到本年按有关规定继续使用的资金。",
    "六、年末结转和结余：指本年度或以前年度预算安排、因客观条件发生变化无法按原计划实施，需延迟到以后年度按有关规定继续使用的资金。",
    "七、基本支出：指单位为保障机构正常运转、完成日常工作任务而发生的各项支出。",
    "八、项目支出：指单位为完成特定的行政工作任务或事业发展目标，在基本支出之外发生的各项支出。",
    "九、经营支出：指事业单位在专业活动及辅助活动之外开展非独立核算经营活动发生的支出。",
    "十、“三公”经费：指单位使用本级财政拨款安排的因公出国（境）费、公务用车购置及运行维护费和公务接待费。",
    "十一、机关运行经费：指行政单位和参照公务员法管理的事业单位使用一般公共预算财政拨款安排的基本支出中的日常公用经费支出。",
]
TABLE_NAMES = [("final_summary", "收入支出决算总表"), ("final_income", "收入决算表"), ("final_expenditure", "支出决算表"),
               ("final_fiscal", "财政拨款收入支出决算总表"), ("final_general", "一般公共预算财政拨款支出决算表"),
               ("final_basic", "一般公共预算财政拨款基本支出决算表"), ("final_sangong", "财政拨款“三公”经费支出决算表"),
               ("final_gov_fund", "政府性基金预算财政拨款收入支出决算表"),
               ("final_soe", "国有资本经营预算财政拨款收入支出决算表")]
EXPLAIN_NAMES = ["收入支出决算总体情况说明", "收入决算情况说明", "支出决算情况说明", "财政拨款收入支出决算总体情况说明",
                 "一般公共预算财政拨款支出决算情况说明", "一般公共预算财政拨款基本支出决算情况说明",
                 "财政拨款“三公”经费支出决算情况说明", "政府性基金预算财政拨款收入支出决算情况说明",
                 "国有资本经营预算财政拨款收入支出决算情况说明", "预算绩效管理情况", "其他重要事项说明"]
VEHICLE_KINDS = ["部级领导干部用车", "主要领导干部用车", "机要通信用车", "应急保障用车", "执法执勤用车", "特种专业技术用车",
                 "离退休干部用车", "其他用车"]


@dataclass
class FinalOptions:
    """Layout choices a variant can change."""

    cover: list[tuple[float, list[Run]]] | None = None  # default: unit name / 'YYYY 年度部门决算'
    split_codes: bool = False  # 类/款/项 columns, and the 合计 row fused with the 类|款|项 header row
    raise_quotes: bool = False  # “ ” drawn high: titles extract as '财政拨款 三公 经费支出决算表' under a '“ ”' line
    repeat_header: bool = False  # the template does not repeat headers on continuation pages
    empty_sangong: bool = False  # no 三公: the table is its header only, then 说明：…本表无数据
    instruction_line: bool = False  # the template's instruction is left above the 说明 of the empty tables
    rule: str = "rect"
    page_numbers: bool = False
    missing: set[str] = field(default_factory=set)
    table_unit: str | None = None  # the unit as the tables' supertitle names it (real files drop the 区 at times)


class FinalBuilder(DocBuilder):
    """Builds a 部门决算 document."""

    heading_size = 16.0

    def __init__(self, doc_id: str, p: Profile, led: Ledger, opt: FinalOptions | None = None) -> None:
        super().__init__(doc_id)
        self.p = p
        self.led = led
        self.opt = opt or FinalOptions()
        self.y = p.year
        self.u = p.unit
        self.titles = dict(TABLE_NAMES)

    def build(self) -> Document:
        """The finished spec."""
        self.cover()
        self.toc()
        self.overview()
        self.tables()
        self.explanation()
        self.terms()
        self.make_questions()
        meta = Meta(self.u, self.p.short, self.y, "决算", self.p.scope, self.p.level, "万元")
        style = Style(landscape=False, margin_x=90, margin_top=74, margin_bottom=70, body_size=15, leading=31.2,
                      title_size=10.6, table_size=10.6, row_height=21, rule=self.opt.rule,
                      page_numbers=self.opt.page_numbers, cjk_latin_gap=True)
        return Document(self.id, meta, style, self.blocks, self.cells, self.facts, self.questions,
                        missing=set(self.opt.missing))

    # front matter ----------------------------------------------------------------------------------------------
    def cover(self) -> None:
        """The cover (unit name, 'YYYY 年度部门决算' unless a variant gives its own lines)."""
        lines = self.opt.cover or [(243.0, [Run(self.u, 30)]), (320.0, [Run(f"{self.y} 年度部门决算", 30)])]
        self.blocks.append(Cover(lines, landscape=False))

    def toc(self) -> None:
        """The template's 目录: four parts, nine tables, eleven 情况说明 sections."""
        u, y, rq = self.u, self.y, self.opt.raise_quotes
        entries = [TocEntry(f"第一部分 {u}概况", target="part1"), TocEntry("一、主要职能", 0),
                   TocEntry("二、部门决算单位构成", 0), TocEntry(f"第二部分 {u} {y} 年度部门决算表", target="part2")]
        entries += [TocEntry(f"{CN_NUM[i]}、{t}", 0, target=k, raise_quotes=rq and "“" in t)
                    for i, (k, t) in enumerate(TABLE_NAMES)]
        entries.append(TocEntry(f"第三部分 {u} {y} 年度部门决算情况说明", target="part3"))
        entries += [TocEntry(f"{CN_NUM[i]}、{t}", 0, raise_quotes=rq and "“" in t) for i, t in enumerate(EXPLAIN_NAMES)]
        entries.append(TocEntry("第四部分 名词解释", target="part4"))
        self.blocks.append(Toc(entries, title="目 录", leaders=False, size=15, pitch=31.2, landscape=False))

    def overview(self) -> None:
        """第一部分: 主要职能 and the table of units in the 决算."""
        p = self.p
        self.heading(f"第一部分 {self.u}概况", "part1")
        self.para("一、主要职能", indent=2)
        for n, duty in enumerate(p.duties, start=1):
            self.para(f"{n}.{duty}")
        self.para("二、部门决算单位构成")
        self.para(f"从预算单位构成看，{self.u}部门决算包括：{self.u}本级决算、下属行政事业单位决算。")
        self.para(f"纳入{self.u} {self.y} 年度部门决算编制范围的单位包括：", tag="scope_units")
        rows: list[Row] = [[str(n), unit, ""] for n, (unit, _) in enumerate(p.subunits, start=1)]
        rows[0][1] = f"{p.subunits[0][0]}（本级）"
        kinds = {"参公": "（下属参公事业单位）", "事业": "（下属事业单位）", "行政": ""}
        for row, (_, kind) in zip(rows[1:], p.subunits[1:], strict=True):
            row[1] += kinds[kind]
        self.blocks.append(Table(key="units", title="", header=[["序号", "单位名称", "备注"]], rows=rows,
                                 widths=[50, 280, 90], aligns=["c", "l", "c"], new_page=False, title_size=1, title_gap=0,
                                 size=12, row_height=26, width_frac=0.94))
        self.fact("编制范围单位数", len(p.subunits), "scope_units", "编制范围的单位包括")
        if p.departments:
            self.para(f"{self.u}设{len(p.departments)}个内设机构：{'、'.join(p.departments)}。", tag="departments")
            self.fact("内设机构数", len(p.departments), "departments", f"设{len(p.departments)}个内设机构")

    # tables ----------------------------------------------------------------------------------------------------
    def w(self, v: int, zero: str = "") -> str:
        """An amount in 万元 as the 决算 tables print it."""
        return wan_text(v, zero)

    def table(self, key: str, header: list[Row], rows: list[Row], keys: list[str], widths: list[float],
              columns: list[str], aligns: list[str], landscape: bool, notes: list[str], supertitle: str | None = None,
              ) -> Table:
        """A Table with the template's 单位：万元 line and page options."""
        return Table(key=key, title=self.titles[key], header=header, rows=rows, widths=widths, aligns=aligns,
                     columns=columns, row_keys=keys, supertitle=supertitle, meta_right="单位：万元", notes=notes,
                     repeat_header=self.opt.repeat_header, landscape=landscape, page_tag=key,
                     raise_quotes=self.opt.raise_quotes and "“" in self.titles[key], title_gap=4,
                     width_frac=1.1 if landscape else 1.13)

    def tables(self) -> None:
        """第二部分: the nine 决算 tables."""
        self.blocks.extend([self.summary(), self.income(), self.expenditure(), self.fiscal(), self.general(),
                            self.basic(), self.sangong(), self.empty_fund("final_gov_fund", "政府性基金预算"),
                            self.empty_fund("final_soe", "国有资本经营预算")])

    def summary(self) -> Table:
        """一、收入支出决算总表 (portrait, all 24 expenditure classes)."""
        led = self.led
        income = [("一、一般公共预算财政拨款收入", led.fiscal()), ("二、政府性基金预算财政拨款收入", 0),
                  ("三、国有资本经营预算财政拨款收入", 0), ("四、上级补助收入", 0), ("五、事业收入", led.other_income()),
                  ("六、经营收入", 0), ("七、附属单位上缴收入", 0), ("八、其他收入", 0)]
        rows: list[Row] = []
        for i, (code, cname) in enumerate(FINAL_CLASSES):
            left = [income[i][0], self.w(income[i][1])] if i < len(income) else ["", ""]
            rows.append(left + [f"{CN_NUM[i]}、{cname}", self.w(led.rollup(code, "total"))])
        revenue = led.fiscal() + led.other_income()
        spent = led.total()
        total = revenue + led.carry_in
        rows += [["本年收入合计", self.w(revenue), "本年支出合计", self.w(spent)],
                 ["使用非财政拨款结余", "", "结余分配", ""],
                 ["年初结转和结余", self.w(led.carry_in), "年末结转和结余", self.w(led.carry_out)],
                 ["总计", self.w(total), "总计", self.w(total)]]
        keys = [f"r{i}" for i in range(len(FINAL_CLASSES))] + ["本年合计", "结余", "结转", "总计"]
        header: list[Row] = [[Cell("收入", colspan=2), Cell("支出", colspan=2)], ["项目", "决算数", "项目", "决算数"]]
        t = self.table("final_summary", header, rows, keys, [190, 70, 170, 70], ["收入项目", "收入决算数", "支出项目",
                       "支出决算数"], ["l", "r", "l", "r"], False, ["注：本表反映部门本年度的总收支和年末结转结余情况。"],
                       supertitle=f"{self.opt.table_unit or self.u} {self.y} 年度部门决算表")
        t.title_size, t.row_height = 10.6, 16.0
        self.cells.append(CellFact(t.key, "总计", "收入决算数", self.w(total), wan(total)))
        self.cells.append(CellFact(t.key, "本年合计", "支出决算数", self.w(spent), wan(spent)))
        return t

    def code_rows(self, attrs: list[str], zero_cols: set[int], fiscal_only: bool = False) -> tuple[list[Row], list[str]]:
        """类/款/项 rows with one value column per Item attribute (7-digit codes, or split 类|款|项 columns)."""
        led = self.led
        items = [i for i in led.items if (i.fiscal if fiscal_only else (i.total or i.other_income))]
        rows: list[Row] = []
        keys: list[str] = []
        for cls in sorted({i.code[:3] for i in items}):
            for prefix in [cls] + sorted({i.code[:5] for i in items if i.code.startswith(cls)}):
                prefixes = [prefix] + ([i.code for i in items if i.code.startswith(prefix)] if len(prefix) == 5 else [])
                for code in prefixes:
                    sel = [i for i in items if i.code.startswith(code)]
                    values = [self.w(sum(getattr(i, a) for i in sel), "0.00" if n in zero_cols else "")
                              for n, a in enumerate(attrs)]
                    rows.append(self.code_cells(code) + [name(code)] + values)
                    keys.append(code)
        return rows, keys

    def code_cells(self, code: str) -> list[str]:
        """A code as one 7-digit cell, or as 类|款|项 cells."""
        if self.opt.split_codes:
            return [code[:3], code[3:5], code[5:7]]
        return [code]

    def code_header(self, columns: list[str], span: int) -> list[Row]:
        """Header rows for a code/name table; with split codes the 类|款|项 row is left to the 合计 row."""
        if self.opt.split_codes:
            return [[Cell("项目", colspan=4)] + [Cell(c, rowspan=2) for c in columns],
                    [Cell("功能分类科目编码", colspan=3), "科目名称"]]
        return [[Cell("项目", colspan=2)] + [Cell(c, rowspan=span) for c in columns],
                ["功能分类\n科目编码", "科目名称"]]

    def total_row(self, values: list[str]) -> Row:
        """The 合计 row (fused with the 类|款|项 header row when codes are split)."""
        if self.opt.split_codes:
            return ["类", "款", "项", "合计"] + values
        return [Cell("合计", colspan=2)] + values

    def code_widths(self, n: int, value_w: float) -> list[float]:
        """Column widths of a code/name table."""
        lead = [40, 32, 32, 190] if self.opt.split_codes else [80, 190]
        return lead + [value_w] * n

    def code_table(self, key: str, columns: list[str], attrs: list[str], zero_cols: set[int], total_first: bool,
                   landscape: bool, note: str, fiscal_only: bool = False) -> Table:
        """A function-classification 决算 table."""
        rows, keys = self.code_rows(attrs, zero_cols, fiscal_only)
        sel = [i for i in self.led.items]
        totals = [self.w(sum(getattr(i, a) for i in sel), "0.00" if n in zero_cols else "") for n, a in enumerate(attrs)]
        total = self.total_row(totals)
        if total_first or self.opt.split_codes:
            rows, keys = [total] + rows, ["合计"] + keys
        else:
            rows, keys = rows + [total], keys + ["合计"]
        lead = ["类", "款", "项", "科目名称"] if self.opt.split_codes else ["科目编码", "科目名称"]
        aligns = (list("ccc") if self.opt.split_codes else ["l"]) + ["l"] + ["r"] * len(columns)
        width = 70 if landscape else 62
        return self.table(key, self.code_header(columns, 2), rows, keys, self.code_widths(len(columns), width),
                          lead + columns, aligns, landscape, [note])

    def income(self) -> Table:
        """二、收入决算表 (合计 first)."""
        cols = ["本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"]
        attrs = ["income_total", "fiscal", "zero", "other_income", "zero", "zero", "zero"]
        t = self.code_table("final_income", cols, attrs, set(), True, True, "注：本表反映部门本年度取得的各项收入情况。")
        revenue = self.led.fiscal() + self.led.other_income()
        self.cells.append(CellFact(t.key, "合计", "本年收入合计", self.w(revenue), wan(revenue)))
        return t

    def expenditure(self) -> Table:
        """三、支出决算表 (合计 first)."""
        cols = ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"]
        attrs = ["total", "basic_all", "project", "zero", "zero", "zero"]
        t = self.code_table("final_expenditure", cols, attrs, {0, 1, 2}, True, True, "注：本表反映部门本年度各项支出情况。")
        item = self.led.probe_item()
        self.cells.append(CellFact(t.key, item.code, "基本支出", self.w(item.basic_all), wan(item.basic_all)))
        self.cells.append(CellFact(t.key, "合计", "项目支出", self.w(self.led.project()), wan(self.led.project())))
        return t

    def fiscal(self) -> Table:
        """四、财政拨款收入支出决算总表."""
        led = self.led
        f = led.fiscal()
        income = [("一、一般公共预算财政拨款", f), ("二、政府性基金预算财政拨款", 0), ("三、国有资本经营预算财政拨款", 0)]
        rows: list[Row] = []
        for i, (code, cname) in enumerate(FINAL_CLASSES):
            left = [income[i][0], self.w(income[i][1])] if i < len(income) else ["", ""]
            v = led.rollup(code, "fiscal")
            rows.append(left + [f"{CN_NUM[i]}、{cname}", self.w(v), self.w(v), "", ""])
        rows += [["本年收入合计", self.w(f), "本年支出合计", self.w(f), self.w(f), "", ""],
                 ["年初财政拨款结转和结余", "", "年末财政拨款结转和结余", "", "", "", ""],
                 ["一、一般公共预算财政拨款", "", "", "", "", "", ""],
                 ["二、政府性基金预算财政拨款", "", "", "", "", "", ""],
                 ["三、国有资本经营预算财政拨款", "", "", "", "", "", ""],
                 ["总计", self.w(f), "总计", self.w(f), self.w(f), "", ""]]
        keys = [f"r{i}" for i in range(len(FINAL_CLASSES))] + ["本年合计", "结转", "一", "二", "三", "总计"]
        header: list[Row] = [[Cell("收入", colspan=2), Cell("支出", colspan=5)],
                             ["项目", "决算数", "项目", "合计", "一般公共预算财政拨款", "政府性基金预算财政拨款",
                              "国有资本经营预算财政拨款"]]
        cols = ["收入项目", "收入决算数", "支出项目", "合计", "一般公共预算财政拨款", "政府性基金预算财政拨款",
                "国有资本经营预算财政拨款"]
        return self.table("final_fiscal", header, rows, keys, [150, 60, 170, 60, 60, 60, 60], cols,
                          ["l", "r", "l", "r", "r", "r", "r"], True, ["注：本表反映部门本年度财政拨款总收支和结转结余情况。"])

    def general(self) -> Table:
        """五、一般公共预算财政拨款支出决算表 (合计 last)."""
        t = self.code_table("final_general", ["合计", "基本支出", "项目支出"], ["fiscal", "basic", "project"], {0, 1, 2},
                            False, False, "注：本表反映部门本年度一般公共预算财政拨款支出情况。", fiscal_only=True)
        big = max((i for i in self.led.items if i.project), key=lambda i: i.project)
        self.cells.append(CellFact(t.key, big.code, "项目支出", self.w(big.project), wan(big.project)))
        return t

    def basic(self) -> Table:
        """六、一般公共预算财政拨款基本支出决算表 (two code/name/amount halves)."""
        econ = self.led.econ
        value = lambda c: sum(v for k, v in econ.items() if k.startswith(c))  # noqa: E731
        rows: list[Row] = []
        for i in range(len(FINAL_ECON_RIGHT)):
            left = [FINAL_ECON_LEFT[i], ECON[FINAL_ECON_LEFT[i]], self.w(value(FINAL_ECON_LEFT[i]), "0.00")] \
                if i < len(FINAL_ECON_LEFT) else ["", "", ""]
            rc = FINAL_ECON_RIGHT[i]
            rows.append(left + [rc, ECON[rc], self.w(value(rc), "0.00")])
        rows.append([Cell("人员经费合计", colspan=2), self.w(self.led.personnel()), Cell("公用经费合计", colspan=2),
                     self.w(self.led.public())])
        keys = [f"{FINAL_ECON_LEFT[i] if i < len(FINAL_ECON_LEFT) else ''}|{FINAL_ECON_RIGHT[i]}"
                for i in range(len(FINAL_ECON_RIGHT))] + ["人员经费合计|公用经费合计"]
        header: list[Row] = [["经济分类\n科目编码", "科目名称", "决算数", "经济分类\n科目编码", "科目名称", "决算数"]]
        t = self.table("final_basic", header, rows, keys, [55, 130, 55, 55, 130, 55],
                       ["经济分类科目编码", "科目名称", "决算数", "经济分类科目编码（右）", "科目名称（右）", "决算数（右）"],
                       ["l", "l", "r", "l", "l", "r"], False, ["注：本表反映部门本年度一般公共预算财政拨款基本支出明细情况。"])
        t.size, t.row_height = 9.0, 15.0
        self.cells.append(CellFact(t.key, "人员经费合计", "决算数", self.w(self.led.personnel()), wan(self.led.personnel())))
        self.cells.append(CellFact(t.key, "公用经费合计", "决算数（右）", self.w(self.led.public()), wan(self.led.public())))
        return t

    def sangong(self) -> Table:
        """七、财政拨款三公经费支出决算表 (预算数/决算数 pairs), or its header alone."""
        sg, bud = self.led.sangong, self.led.sangong_prev
        header: list[Row] = [
            [Cell("财政拨款“三公”经费", colspan=12)],
            [Cell("合计", colspan=2, rowspan=2), Cell("因公出国（境）费", colspan=2, rowspan=2),
             Cell("公务用车购置及运行维护费", colspan=6), Cell("公务接待费", colspan=2, rowspan=2)],
            [Cell("小计", colspan=2), Cell("公务用车购置费", colspan=2), Cell("公务用车运行维护费", colspan=2)],
            ["预算数", "决算数"] * 6]
        pairs = [(bud.total, sg.total), (bud.abroad, sg.abroad), (bud.cars, sg.cars), (bud.car_buy, sg.car_buy),
                 (bud.car_run, sg.car_run), (bud.reception, sg.reception)]
        if self.opt.empty_sangong:
            rows: list[Row] = []
            notes = ["注：本表反映部门本年度“三公”经费支出预决算情况。",
                     f"说明：{self.u}本年度没有“三公”经费财政拨款支出，故本表无数据。"]
        else:
            rows = [[self.w(v, "0.00") for pair in pairs for v in pair]]
            notes = ["注：本表反映部门本年度“三公”经费支出预决算情况。"]
        cols = [f"{a}/{b}" for a in ("合计", "因公出国（境）费", "小计", "公务用车购置费", "公务用车运行维护费", "公务接待费")
                for b in ("预算数", "决算数")]
        t = self.table("final_sangong", header, rows, ["三公"] * len(rows), [50] * 12, cols, ["r"] * 12, True, notes)
        if rows:
            self.cells.append(CellFact(t.key, "三公", "合计/决算数", self.w(sg.total, "0.00"), wan(sg.total)))
            self.cells.append(CellFact(t.key, "三公", "公务接待费/预算数", self.w(bud.reception, "0.00"), wan(bud.reception)))
        return t

    def empty_fund(self, key: str, what: str) -> Table:
        """八/九、an empty 政府性基金 or 国有资本经营 table with its notes."""
        header: list[Row] = [[Cell("项目", colspan=2), Cell("年初结转和结余", rowspan=2), Cell("本年收入", rowspan=2),
                              Cell("本年支出", colspan=3, rowspan=2), Cell("年末结转和结余", rowspan=2)],
                             ["功能分类\n科目编码", "科目名称"]]
        rows: list[Row] = [[Cell("合计", colspan=2), "", "", "合计", "基本支出", "项目支出", ""]] + [[""] * 8] * 3
        notes = [f"注：本表反映部门本年度{what}财政拨款收入支出及结转和结余情况。"]
        if self.opt.instruction_line:
            notes.append(f"无{what}财政拨款收入支出的，仍保留该表格式，并在本表下方作下述说明：")
        notes.append(f"说明：{self.u}本年度没有{what}财政拨款收入和支出，故本表无数据。")
        return self.table(key, header, rows, ["合计", "b1", "b2", "b3"], [80, 150, 70, 70, 60, 60, 60, 70],
                          ["科目编码", "科目名称", "年初结转和结余", "本年收入", "本年支出合计", "基本支出", "项目支出",
                           "年末结转和结余"], ["l", "l"] + ["r"] * 6, True, notes)

    # 情况说明 --------------------------------------------------------------------------------------------------
    def explanation(self) -> None:
        """第三部分: the eleven 情况说明 sections."""
        led, y, u = self.led, self.y, self.u
        self.heading(f"第三部分 {u} {y} 年度部门决算情况说明", "part3", landscape=False)
        revenue = led.fiscal() + led.other_income()
        total = revenue + led.carry_in
        self.section(0)
        self.para(f"{u} {y} 年度收入支出总计 {wan(total):.2f} 万元。与 {y - 1} 年度相比，{self.change('收入支出总计', total, led.prev_total)}"
                  f"主要原因：{led.reason}。", tag="grand_total")
        self.fact("收入支出总计", wan(total), "grand_total", f"收入支出总计 {wan(total):.2f} 万元")
        self.section(1)
        parts = [f"财政拨款收入 {wan(led.fiscal()):.2f} 万元，占 {pct(led.fiscal(), revenue):.2f}%"]
        if led.other_income():
            parts.append(f"事业收入 {wan(led.other_income()):.2f} 万元，占 {pct(led.other_income(), revenue):.2f}%")
        self.para(f"本年收入合计 {wan(revenue):.2f} 万元，其中：{'；'.join(parts)}。")
        self.section(2)
        spent = led.total()
        basic_all = led.basic() + led.other()
        self.para(f"本年支出合计 {wan(spent):.2f} 万元，其中：基本支出 {wan(basic_all):.2f} 万元，占 {pct(basic_all, spent):.2f}%；"
                  f"项目支出 {wan(led.project()):.2f} 万元，占 {pct(led.project(), spent):.2f}%。", tag="spent")
        self.fact("本年支出合计", wan(spent), "spent", f"本年支出合计 {wan(spent):.2f} 万元")
        self.section(3)
        f = led.fiscal()
        self.para(f"{u} {y} 年度财政拨款收入支出总计 {wan(f):.2f} 万元。与 {y - 1} 年度相比，"
                  f"{self.change('财政拨款收入支出总计', f, led.prev_fiscal)}主要原因：{led.reason}。")
        self.general_explanation()
        self.section(5)
        self.para(f"一般公共预算财政拨款基本支出 {wan(led.basic()):.2f} 万元。其中：人员经费 {wan(led.personnel()):.2f} 万元，"
                  "主要包括：基本工资、津贴补贴、奖金、绩效工资、机关事业单位基本养老保险缴费、职业年金缴费、职工基本医疗保险缴费、"
                  f"其他社会保障缴费、住房公积金、其他工资福利支出、退休费；公用经费 {wan(led.public()):.2f} 万元，主要包括：办公费、"
                  "水费、电费、邮电费、物业管理费、差旅费、维修（护）费、会议费、培训费、公务接待费、劳务费、委托业务费、工会经费、"
                  "福利费、公务用车运行维护费、其他交通费用、其他商品和服务支出。", tag="basic")
        self.sangong_explanation()
        for n, what in ((7, "政府性基金预算"), (8, "国有资本经营预算")):
            self.section(n)
            self.para(f"{u} {y} 年度无{what}财政拨款收入和支出。")
        self.performance()
        self.other_matters()

    def section(self, n: int) -> None:
        """The heading line of 情况说明 section n."""
        self.para(f"{CN_NUM[n]}、{EXPLAIN_NAMES[n]}" if n != 10 else "十一、其他重要事项的情况说明")

    def change(self, what: str, now: int, before: int) -> str:
        """'X增加 A 万元，增长 B%。' against last year."""
        if now == before:
            return f"{what}持平。"
        up = now > before
        return (f"{what}{'增加' if up else '减少'} {wan(abs(now - before)):.2f} 万元，"
                f"{'增长' if up else '下降'} {pct(abs(now - before), before):.2f}%。")

    def general_explanation(self) -> None:
        """五、一般公共预算 spending: total, structure, and each 项 against its 年初预算."""
        led, y = self.led, self.y
        f, spent = led.fiscal(), led.total()
        self.section(4)
        self.para("（一）一般公共预算财政拨款支出决算总体情况")
        self.para(f"一般公共预算财政拨款支出 {wan(f):.2f} 万元，占本年支出合计的 {pct(f, spent):.2f}%。与 {y - 1} 年度相比，"
                  f"{self.change('一般公共预算财政拨款支出', f, led.prev_fiscal)}主要原因：{led.reason}。")
        self.para("（二）一般公共预算财政拨款支出决算结构情况")
        parts = [f"{name(c)}（类）{wan(led.rollup(c, 'fiscal')):.2f} 万元，占 {pct(led.rollup(c, 'fiscal'), f):.2f}%"
                 for c in led.classes() if led.rollup(c, "fiscal")]
        self.para(f"一般公共预算财政拨款支出 {wan(f):.2f} 万元，主要用于以下方面：{'；'.join(parts)}。")
        self.para("（三）一般公共预算财政拨款支出决算具体情况")
        initial = sum(i.prev for i in led.items)
        word = "大于" if f > initial else "小于"
        self.para(f"一般公共预算财政拨款支出年初预算为 {wan(initial):.2f} 万元，支出决算为 {wan(f):.2f} 万元，完成年初预算的 "
                  f"{pct(f, initial):.2f}%。决算数{word}预算数的主要原因：{led.gap_reason}。其中：", tag="initial")
        self.fact("一般公共预算完成率", pct(f, initial), "initial", f"完成年初预算的 {pct(f, initial):.2f}%")
        for n, item in enumerate((i for i in led.items if i.fiscal), start=1):
            self.item_paragraph(n, item)

    def item_paragraph(self, n: int, item) -> None:
        """One 项: use, 年初预算, 决算, 完成率 and the reason for the gap."""
        used = self.p.purposes.get(item.code, f"{name(item.code)}方面的支出")
        rate = pct(item.fiscal, item.prev)
        text = (f"{n}、{path_name(item.code)}。主要用于：{used}。年初预算为 {wan(item.prev):.2f} 万元，支出决算为 "
                f"{wan(item.fiscal):.2f} 万元，完成年初预算的 {rate:.2f}%。")
        if item.prev == item.fiscal:
            text += "决算数同预算数持平。"
        else:
            text += f"决算数{'大于' if item.fiscal > item.prev else '小于'}预算数的主要原因：{item.reason}。"
        tag = f"item:{item.code}"
        self.para(text, tag=tag)
        self.fact(f"完成率:{item.code}", rate, tag, f"完成年初预算的 {rate:.2f}%")

    def sangong_explanation(self) -> None:
        """七、三公: totals against budget, 团组/人次, vehicles, 接待批次/人次."""
        led, y, u = self.led, self.y, self.u
        sg, bud = led.sangong, led.sangong_prev
        self.section(6)
        if not sg.total and not bud.total:
            self.para(f"{u} {y} 年度无“三公”经费财政拨款支出。", tag="sangong")
            self.fact("三公经费决算", 0.0, "sangong", "无“三公”经费")
            return
        self.para("（一）“三公”经费财政拨款支出决算总体情况说明。")
        self.para(f"“三公”经费财政拨款支出年初预算为 {wan(bud.total):.2f} 万元，支出决算为 {wan(sg.total):.2f} 万元，完成预算的 "
                  f"{pct(sg.total, bud.total):.2f}%，其中：因公出国（境）费决算为 {wan(sg.abroad):.2f} 万元，完成预算的 "
                  f"{pct(sg.abroad, bud.abroad):.2f}%；公务用车购置及运行维护费支出决算为 {wan(sg.cars):.2f} 万元，完成预算的 "
                  f"{pct(sg.cars, bud.cars):.2f}%；公务接待费支出决算为 {wan(sg.reception):.2f} 万元，完成预算的 "
                  f"{pct(sg.reception, bud.reception):.2f}%。{y} 年度“三公”经费支出决算数小于预算数的主要原因：严格落实中央八项规定"
                  "精神，厉行节约，控制“三公”经费支出。", tag="sangong")
        self.fact("三公经费决算", wan(sg.total), "sangong", f"支出决算为 {wan(sg.total):.2f} 万元")
        self.para("（二）“三公”经费财政拨款支出决算具体情况说明。")
        self.para(f"1、因公出国（境）费支出 {wan(sg.abroad):.2f} 万元。全年安排因公出国（境）团组 {led.abroad_groups} 个、累计 "
                  f"{led.abroad_people} 人次。", tag="abroad")
        self.fact("出国团组数", led.abroad_groups, "abroad", f"团组 {led.abroad_groups} 个")
        self.para(f"2、公务用车购置及运行维护费支出 {wan(sg.cars):.2f} 万元。其中：")
        self.para(f"公务用车购置支出为 {wan(sg.car_buy):.2f} 万元。")
        cars = led.extras.get("cars_owned", sum(led.vehicles.values()))
        self.para(f"公务用车运行维护支出 {wan(sg.car_run):.2f} 万元。主要用于公务用车燃料费、维修费、保险费等支出。{y} 年，{u}所属"
                  f"各预算单位开支财政拨款的公务用车保有量为 {cars} 辆。", tag="cars")
        self.fact("公务用车保有量", cars, "cars", f"保有量为 {cars} 辆")
        self.para(f"3、公务接待费支出 {wan(sg.reception):.2f} 万元。其中：")
        self.para(f"国内公务接待支出 {wan(sg.reception):.2f} 万（含外宾接待支出 0.00 万元）。主要用于接待上级部门及外省市单位调研"
                  f"学习及考察，列明公务接待 {led.reception_batches} 批次、{led.reception_people} 人次，其中：接待外宾 0 批次、0 人次。",
                  tag="reception")
        self.fact("接待批次", led.reception_batches, "reception", f"公务接待 {led.reception_batches} 批次")

    def performance(self) -> None:
        """十、预算绩效管理情况."""
        led, y, n = self.led, self.y, self.led.perf_projects
        self.section(9)
        amount = wan(led.project())
        self.para(f"{self.u}{y}年度预算绩效管理工作开展情况如下：本部门建立了预算绩效管理制度，形成主要领导负总责、分管领导负具体"
                  f"责任的工作机制；全过程绩效管理实施情况：编报绩效目标的{y}年度项目{n}个，涉及预算金额{amount:.2f}万元；"
                  f"绩效自评的{y}年度项目{n}个，涉及预算金额{amount:.2f}万元，平均得分{led.extras.get('score', 96)}分。", tag="perf")
        self.fact("绩效目标项目数", n, "perf", f"年度项目{n}个")

    def other_matters(self) -> None:
        """十一、机关运行经费, 政府采购, 国有资产."""
        led, y, u = self.led, self.y, self.u
        self.section(10)
        self.para("（一）机关运行经费支出情况")
        self.para(f"机关运行经费支出 {wan(led.running):.2f} 万元，比 {y - 1} 年度"
                  f"{self.change('', led.running, led.running_prev)}主要原因是严格落实过紧日子要求，压减一般性支出。",
                  tag="running")
        self.fact("机关运行经费", wan(led.running), "running", f"机关运行经费支出 {wan(led.running):.2f} 万元")
        goods, works, services = led.purchase
        self.para("（二）政府采购支出情况")
        self.para(f"{u} {y} 年度政府采购金额（以合同签订为准）为 {wan(goods + works + services):.2f} 万元，其中：货物采购金额 "
                  f"{wan(goods):.2f} 万元、工程采购金额 {wan(works):.2f} 万元、服务采购金额 {wan(services):.2f} 万元。",
                  tag="purchase")
        self.fact("政府采购货物", wan(goods), "purchase", f"货物采购金额 {wan(goods):.2f} 万元")
        self.para(f"{y} 年度本部门面向中小企业预留政府采购项目预算金额 {wan(led.sme[0]):.2f} 万元，面向小微企业预留政府采购项目预算"
                  f"金额 {wan(led.sme[1]):.2f} 万元。")
        self.para("（三）国有资产占有使用情况说明")
        v = led.vehicles
        kinds = "、".join(f"{k} {v.get(k, 0)} 辆" for k in VEHICLE_KINDS)
        self.para(f"截至 {y} 年 12 月 31 日，{u}部门（单位）共有车辆 {sum(v.values())} 辆，其中：{kinds}。单价 100 万元（含）以上"
                  f"设备（不含车辆）{led.equipment} 台（套）。", tag="vehicles")
        self.fact("车辆数", sum(v.values()), "vehicles", f"共有车辆 {sum(v.values())} 辆")

    def terms(self) -> None:
        """第四部分: 名词解释."""
        self.heading("第四部分 名词解释", "part4", landscape=False)
        for term in TERMS:
            self.para(term)

    # questions -------------------------------------------------------------------------------------------------
    def make_questions(self) -> None:
        """10–13 questions: totals, 三公 with 批次/人次, vehicles, a cell, a 完成率 with its reason, two unanswerable."""
        led, y, p = self.led, self.y, self.p
        names = iter(p.short * 8)
        n = lambda: f"{next(names)}{y}年度决算"  # noqa: E731
        revenue = led.fiscal() + led.other_income()
        self.ask(f"{n()}的收入支出总计是多少？", [[wan(revenue + led.carry_in)]])
        self.ask(f"{n()}本年支出合计是多少？", [[wan(led.total())]])
        self.ask(f"{n()}中一般公共预算财政拨款支出是多少？", [[wan(led.fiscal())]])
        self.ask(f"{n()}“三公”经费支出决算是多少？", [[wan(led.sangong.total)]])
        if led.sangong.total:
            self.ask(f"{n()}公务接待了多少批次、多少人次？", [[led.reception_batches], [led.reception_people]])
            self.ask(f"{n()}财政拨款的公务用车保有量是多少辆？",
                     [[led.extras.get("cars_owned", sum(led.vehicles.values()))]])
        self.ask(f"{n()}共有车辆多少辆？", [[sum(led.vehicles.values())]])
        item = self.led.probe_item()
        self.ask(f"{n()}支出决算表中“{name(item.code)}”（{item.code}）的基本支出是多少？", [[wan(item.basic_all)]])
        changed = [i for i in led.items if i.fiscal and i.prev != i.fiscal]
        pick = max(changed, key=lambda i: abs(i.fiscal - i.prev))
        self.ask(f"{n()}“{path_name(pick.code)}”完成年初预算的百分之多少？为什么？", [[pct(pick.fiscal, pick.prev)]],
                 [[pick.reason]])
        self.ask(f"{n()}的机关运行经费支出是多少？", [[wan(led.running)]])
        self.ask(f"{n()}政府采购中货物采购金额是多少？", [[wan(led.purchase[0])]])
        if led.carry_in:
            self.ask(f"{n()}年初结转和结余是多少？", [[wan(led.carry_in)]])
        self.ask(f"{n()}中各下属单位的决算分别是多少？", want="unknown")
        self.ask(f"{n()}因公出国（境）去了哪些国家？", want="unknown")


def final_doc(doc_id: str, p: Profile, led: Ledger, opt: FinalOptions | None = None) -> Document:
    """Shorthand: the 决算 document spec."""
    return FinalBuilder(doc_id, p, led, opt).build()
