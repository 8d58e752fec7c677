"""A Shanghai-template 部门预算 / 单位预算 (tables in 元, codes split into 类/款/项) built from a Profile and a Ledger."""
from __future__ import annotations

from dataclasses import dataclass, field

from .builder import DocBuilder
from .catalog import CN_NUM, ECON, name, path_name
from .ledger import Ledger
from .money import alternatives, change_word, pct, wan, wan_text, yuan_text
from .profile import Profile
from .spec import Cell, CellFact, Cover, Document, Meta, Row, Run, Style, Table, Toc, TocEntry

FUNC_WIDTHS = [34, 34, 34, 204]
INCOME_LINES = ["一、财政拨款收入", "1. 一般公共预算资金", "2. 政府性基金", "3. 国有资本经营预算", "二、事业收入",
                "三、事业单位经营收入", "四、其他收入"]
TERMS = [
    "（一）财政拨款收入：是{lv}预算主管部门及所属预算单位本年度从本级财政部门取得的财政拨款，包括一般公共预算财政拨款、"
    "政府性基金预算财政拨款和国有资本经营预算财政拨款。",
    "（二）事业收入：指事业单位开展专业业务活动及其辅助活动取得的收入。",
    "（三）事业单位经营收入：指事业单位在专业业务活动及其辅助活动之外开展非独立核算经营活动取得的收入。",
    "（四）其他收入：指除上述“财政拨款收入”、“事业收入”、“事业单位经营收入”等以外的收入。",
    "（五）基本支出预算：是{lv}预算主管部门及所属预算单位为保障其机构正常运转、完成日常工作任务而编制的年度基本支出计划，"
    "包括人员经费和公用经费两部分。",
    "（六）项目支出预算：是{lv}预算主管部门及所属预算单位为完成行政工作任务、事业发展目标或政府发展战略、特定目标，"
    "在基本支出之外编制的年度支出计划。",
    "（七）“三公”经费：是与{lv}财政有经费领拨关系的部门及其下属预算单位使用{lv}财政拨款安排的因公出国（境）费、"
    "公务用车购置及运行费、公务接待费。其中：因公出国（境）费主要安排机关及下属预算单位人员的国际合作交流、重大项目洽谈、"
    "境外培训研修等的国际旅费、国外城市间交通费、住宿费、伙食费、培训费、公杂费等支出；公务接待费主要安排全国性专业会议、"
    "国家重大政策调研、专项检查以及外事团组接待交流等执行公务或开展业务所需住宿费、交通费、伙食费等支出；"
    "公务用车购置及运行费主要安排编制内公务车辆的报废更新，以及用于安排市内因公出差、公务文件交换、日常工作开展等所需"
    "公务用车燃料费、维修费、过路过桥费、保险费等支出。",
    "（八）机关运行经费：指行政单位和参照公务员法管理的事业单位使用一般公共预算财政拨款安排的基本支出中的日常公用经费支出。",
]
VEHICLE_KINDS = ["部级领导干部用车", "主要领导干部用车", "机要通信用车", "应急保障用车", "执法执勤用车", "特种专业技术用车",
                 "离退休干部用车", "其他用车"]


@dataclass
class BudgetOptions:
    """Layout choices a variant can change."""

    cover: str = "district"  # district | municipal | unit
    repeat_header: dict[str, bool] = field(default_factory=dict)  # per table key (default True)
    total_alone: set[str] = field(default_factory=set)  # tables whose 合计 row is pushed to the next page
    empty_style: str = "note"  # note: blank rows, 合计 and 注：…故本表为空表; blank_total: blank 合计 row, no note
    sangong_false_note: bool = False  # the 三公 table has figures and still the 本表为空表 note (万里街道 2024)
    split_summary: bool = False  # 财务收支预算总表 with 人员经费/公用经费 columns
    zero: str = "0"
    forms: int = 2
    missing: set[str] = field(default_factory=set)
    toc_pages: bool = False
    toc_boxed: bool = False
    page_numbers: bool = False
    short_econ_codes: bool = False  # 款 printed without the leading zero ('301 2 津贴补贴')


class BudgetBuilder(DocBuilder):
    """Builds the document block by block, collecting ground truth as it goes."""

    def __init__(self, doc_id: str, p: Profile, led: Ledger, opt: BudgetOptions | None = None) -> None:
        super().__init__(doc_id)
        self.p = p
        self.led = led
        self.opt = opt or BudgetOptions()
        self.y = p.year
        self.unit_word = "部门" if p.scope == "部门" else "单位"

    # naming ----------------------------------------------------------------------------------------------------
    def title(self, what: str) -> str:
        """A table title with the scope's prefix ('2025年部门…' or '2025年预算单位…')."""
        prefix = "部门" if self.p.scope == "部门" else "预算单位"
        return f"{self.y}年{prefix}{what}"

    @property
    def meta_left(self) -> str:
        """The 编制部门/编制单位 half of the meta line."""
        return f"编制{self.unit_word}：{self.p.unit}"

    @property
    def sangong_title(self) -> str:
        """The combined 三公 and 机关运行经费 table's title."""
        if self.p.scope == "部门":
            return "部门“三公”经费和机关运行经费预算表"
        return f"{self.y}年单位“三公”经费和机关运行经费预算表"

    # whole document --------------------------------------------------------------------------------------------
    def build(self) -> Document:
        """The finished spec."""
        self.cover()
        self.toc()
        self.duties()
        self.organisation()
        self.terms()
        self.explanation()
        self.tables()
        self.other_matters()
        if self.p.projects:
            self.project_notes()
        self.make_questions()
        meta = Meta(self.p.unit, self.p.short, self.y, "预算", self.p.scope, self.p.level, "元")
        style = Style(page_numbers=self.opt.page_numbers)
        return Document(self.id, meta, style, self.blocks, self.cells, self.facts, self.questions,
                        missing=set(self.opt.missing))

    def cover(self) -> None:
        """The cover page in the chosen style."""
        p = self.p
        if self.opt.cover == "municipal":
            lines = [(150.0, [Run(f"上海市{self.y}年市级{self.unit_word}预算", 36)]),
                     (280.0, [Run(f"预算{'主管部门' if p.scope == '部门' else '单位'}：{p.unit}", 18)])]
        elif self.opt.cover == "unit":
            lines = [(150.0, [Run(f"{p.unit}{self.y}年{self.unit_word}预算", 30)]),
                     (280.0, [Run(f"预算单位：{p.unit}", 18)])]
        else:
            lines = [(160.0, [Run(f"上海市{p.district}{self.y}年区级{self.unit_word}预算", 36)]),
                     (284.0, [Run(f"预算主管部门：{p.unit}", 18)])]
        self.blocks.append(Cover(lines))

    def toc(self) -> None:
        """The 目录: parts, then the numbered tables (numbers mix '.' and '．' as printed)."""
        w = self.unit_word
        entries = [TocEntry(f"一、{w}主要职能", target="duties"), TocEntry(f"二、{w}机构设置", target="org"),
                   TocEntry("三、名词解释", target="terms"), TocEntry(f"四、{w}预算编制说明", target="explain"),
                   TocEntry(f"五、{w}预算表", target="income_expense_summary")]
        for n, (key, title) in enumerate(self.table_titles(), start=1):
            sep = "." if n < 5 or n == 9 else "．"
            entries.append(TocEntry(f"{n}{sep} {title}", level=1, target=key))
        entries.append(TocEntry("六、其他相关情况说明", target="other"))
        if self.p.projects:
            entries.append(TocEntry("七、项目经费情况说明", target="projects"))
        self.blocks.append(Toc(entries, page_numbers=self.opt.toc_pages, boxed=self.opt.toc_boxed))

    def table_titles(self) -> list[tuple[str, str]]:
        """(key, title) of the nine tables in order."""
        return [("income_expense_summary", self.title("财务收支预算总表")), ("income", self.title("收入预算总表")),
                ("expenditure", self.title("支出预算总表")), ("fiscal_summary", self.title("财政拨款收支预算总表")),
                ("general_function", self.title("一般公共预算支出功能分类预算表")),
                ("gov_fund", self.title("政府性基金预算支出功能分类预算表")),
                ("soe", self.title("国有资本经营预算支出功能分类预算表")),
                ("basic_econ", self.title("一般公共预算基本支出部门预算经济分类预算表")),
                ("sangong", self.sangong_title)]

    # prose -----------------------------------------------------------------------------------------------------
    def duties(self) -> None:
        """Part 一: 主要职能."""
        p = self.p
        self.heading(f"{p.unit}（{self.unit_word}）主要职能", "duties")
        self.para(p.intro)
        self.para("主要职能包括：")
        for n, duty in enumerate(p.duties):
            self.para(f"{CN_NUM[n]}、{duty}")

    def organisation(self) -> None:
        """Part 二: 机构设置 with the 内设机构 and the 下属单位 list and counts."""
        p = self.p
        self.heading(f"{p.unit}（{self.unit_word}）机构设置", "org")
        deps = p.departments
        self.para(f"{p.unit}设{len(deps)}个内设机构，包括：{'、'.join(deps)}。", tag="departments")
        self.fact("内设机构数", len(deps), "departments", f"设{len(deps)}个内设机构")
        if p.scope != "部门":
            return
        subs = p.subunits[1:]
        kinds = {k: sum(1 for _, kind in p.subunits if kind == k) for k in ("行政", "参公", "事业")}
        counts = "，".join(f"{label}{kinds[k]} 家" for k, label in
                          (("行政", "行政单位 "), ("参公", "参公单位 "), ("事业", "事业单位 ")) if kinds[k])
        self.para(f"{p.unit}部门预算是包括{p.short[-1]}本部以及下属 {len(subs)} 家预算单位的综合收支计划。"
                  f"本部门中，{counts}，具体包括：", tag="subunits")
        self.fact("下属单位数", len(subs), "subunits", f"下属 {len(subs)} 家")
        for n, (unit, _) in enumerate(p.subunits, start=1):
            suffix = "（本部）" if n == 1 else ""
            self.para(f"{n}. {unit}{suffix}。")

    def terms(self) -> None:
        """Part 三: 名词解释."""
        self.heading("名词解释", "terms")
        lv = "区级" if self.p.level == "区级" else "市级"
        for term in TERMS:
            self.para(term.format(lv=lv))

    def explanation(self) -> None:
        """Part 四: 编制说明, totals against last year and one paragraph per 项."""
        p, led, y = self.p, self.led, self.y
        self.heading(f"{y}年{self.unit_word}预算编制说明", "explain")
        total, fiscal, other = led.total(), led.fiscal(), led.other()
        delta = fiscal - led.prev_fiscal
        word = change_word(delta)
        change = f"比{y - 1}年预算{word}{wan(abs(delta)):.2f}万元" if delta else f"与{y - 1}年预算持平"
        self.para(f"{y}年，{p.unit}收入预算{wan(total):.2f}万元，其中：财政拨款收入{wan(fiscal):.2f}万元，{change}；"
                  f"事业收入{wan(other):.2f}万元；事业单位经营收入0.00万元；其他收入0.00万元。", tag="income_total")
        self.fact("收入预算", wan(total), "income_total", f"收入预算{wan(total):.2f}万元")
        rate = f"，{'增长' if delta > 0 else '下降'}{pct(abs(delta), led.prev_fiscal):.2f}%" if delta else ""
        self.para(f"支出预算{wan(total):.2f}万元，其中：财政拨款支出预算{wan(fiscal):.2f}万元，{change}{rate}。"
                  f"财政拨款支出预算中，一般公共预算拨款支出预算{wan(fiscal):.2f}万元，{change}；"
                  f"政府性基金拨款支出预算0.00万元，比{y - 1}年预算持平；国有资本经营预算拨款支出预算0.00万元，"
                  f"比{y - 1}年预算持平。")
        self.para(f"财政拨款收入支出{word}的主要原因是{led.reason}。", tag="fiscal_reason")
        self.para("财政拨款支出主要内容如下：")
        for n, item in enumerate((i for i in led.items if i.fiscal), start=1):
            self.item_paragraph(n, item)

    def item_paragraph(self, n: int, item) -> None:
        """One 项: amount, use, last year's 执行数, the change in % and its reason."""
        y = self.y
        used = self.p.purposes.get(item.code, name(item.code))
        amount = wan(item.fiscal)
        head = f"{n}. “{path_name(item.code)}”{amount:.2f}万元，主要用于{used}。"
        hist = f"{y - 1}年当年预算执行数为{wan(item.prev):.2f}万元，{y}年预算安排{amount:.2f}万元，"
        if item.prev == item.fiscal:
            tail = f"比{y - 1}年预算执行数持平。主要原因是：{name(item.code)}经费保持不变。"
            change = 0.0
        else:
            change = pct(abs(item.fiscal - item.prev), item.prev)
            tail = f"比{y - 1}年预算执行数{change_word(item.fiscal - item.prev)}{change:.2f}%。主要原因是：{item.reason}。"
        tag = f"item:{item.code}"
        self.para(head + hist + tail, tag=tag)
        self.fact(f"执行数变化:{item.code}", change, tag, tail.split("。")[0])

    # tables ----------------------------------------------------------------------------------------------------
    def tables(self) -> None:
        """Part 五: the nine budget tables."""
        self.blocks.extend([self.summary_table(), self.income_table(), self.expenditure_table(),
                            self.fiscal_table(), self.general_table(), self.empty_function_table("gov_fund"),
                            self.empty_function_table("soe"), self.econ_table(), self.sangong_table()])

    def money(self, v: int) -> str:
        """An 元 amount as this document prints it."""
        return yuan_text(v, self.opt.zero)

    def table(self, key: str, header: list[Row], rows: list[Row], keys: list[str], widths: list[float],
              columns: list[str], aligns: list[str], meta_right: str = "单位：元", notes: list[str] | None = None) -> Table:
        """A Table with this document's meta line and page options."""
        titles = dict(self.table_titles())
        t = Table(key=key, title=titles[key], header=header, rows=rows, widths=widths, aligns=aligns, columns=columns,
                  row_keys=keys, meta_left=self.meta_left, meta_right=meta_right, notes=notes or [],
                  repeat_header=self.opt.repeat_header.get(key, True), page_tag=key)
        t.spill_last = key in self.opt.total_alone
        return t

    def summary_table(self) -> Table:
        """1. 财务收支预算总表 (income lines against expenditure classes)."""
        led = self.led
        f, s, t = led.fiscal(), led.other(), led.total()
        income = [f, f, 0, 0, s, 0, 0]
        classes = led.classes()
        if self.opt.split_summary:
            return self.split_summary_table(income, classes)
        n = max(len(INCOME_LINES), len(classes)) + 4
        rows: list[Row] = []
        for i in range(n):
            left = [INCOME_LINES[i], yuan_text(income[i], "")] if i < len(INCOME_LINES) else ["", ""]
            if i < len(classes):
                c = classes[i]
                right = [f"{CN_NUM[i]}、{name(c)}", self.money(led.rollup(c, "total"))]
            else:
                right = ["", ""]
            rows.append(left + right)
        rows.append(["收入总计", self.money(t), "支出总计", self.money(t)])
        keys = [f"r{i}" for i in range(n)] + ["总计"]
        header: list[Row] = [[Cell("本年收入", colspan=2), Cell("本年支出", colspan=2)], ["项目", "预算数", "项目", "预算数"]]
        table = self.table("income_expense_summary", header, rows, keys, [230, 110, 230, 110],
                           ["收入项目", "收入预算数", "支出项目", "支出预算数"], ["l", "r", "l", "r"])
        self.cells.append(CellFact(table.key, "总计", "收入预算数", self.money(t), wan(t)))
        return table

    def split_summary_table(self, income: list[int], classes: list[str]) -> Table:
        """1. 财务收支预算总表 with 合计/人员经费/公用经费/项目支出 columns (单位预算 style)."""
        led = self.led
        public_class = led.run_code[:3]
        n = max(len(INCOME_LINES), len(classes)) + 4
        rows: list[Row] = []
        for i in range(n):
            left = [INCOME_LINES[i].replace(". ", "、"), yuan_text(income[i], "")] if i < len(INCOME_LINES) else ["", ""]
            right = ["", "", "", "", ""]
            if i < len(classes):
                c = classes[i]
                pub = led.public() if c == public_class else 0
                basic = led.rollup(c, "basic") + led.rollup(c, "other")
                right = [f"{CN_NUM[i]}、{name(c)}", yuan_text(led.rollup(c, "total"), ""), yuan_text(basic - pub, ""),
                         yuan_text(pub, ""), yuan_text(led.rollup(c, "project"), "")]
            rows.append(left + right)
        basic_all = led.basic() + led.other()
        rows.append(["收入总计", yuan_text(led.total()), "支出总计", yuan_text(led.total()),
                     yuan_text(basic_all - led.public()), yuan_text(led.public()), yuan_text(led.project())])
        header: list[Row] = [
            [Cell("本年收入", colspan=2), Cell("本年支出", colspan=5)],
            [Cell("项目", rowspan=3), Cell("预算数", rowspan=3), Cell("项目", rowspan=3), Cell("预算数", colspan=4)],
            [Cell("合计", rowspan=2), Cell("基本支出", colspan=2), Cell("项目支出", rowspan=2)],
            ["人员经费", "公用经费"]]
        keys = [f"r{i}" for i in range(n)] + ["总计"]
        table = self.table("income_expense_summary", header, rows, keys, [170, 90, 170, 90, 85, 85, 85],
                           ["收入项目", "收入预算数", "支出项目", "合计", "人员经费", "公用经费", "项目支出"],
                           ["l", "r", "l", "r", "r", "r", "r"])
        self.cells.append(CellFact(table.key, "总计", "人员经费", yuan_text(basic_all - led.public()),
                                   wan(basic_all - led.public())))
        return table

    def function_rows(self, getters: list[str], fiscal_only: bool = False) -> tuple[list[Row], list[str]]:
        """类, 款 and 项 rows with one column per attribute name ('total', 'basic', …, 'fiscal')."""
        led = self.led
        rows: list[Row] = []
        keys: list[str] = []
        items = [i for i in led.items if (i.fiscal if fiscal_only else i.total)]
        for cls in sorted({i.code[:3] for i in items}):
            for prefix in [cls] + sorted({i.code[:5] for i in items if i.code.startswith(cls)}):
                values = [self.money(sum(getattr(i, g) for i in items if i.code.startswith(prefix))) for g in getters]
                rows.append(self.code_cells(prefix) + [name(prefix)] + values)
                keys.append(prefix)
                if len(prefix) == 5:
                    for item in (i for i in items if i.code.startswith(prefix)):
                        rows.append(self.code_cells(item.code) + [name(item.code)]
                                    + [self.money(getattr(item, g)) for g in getters])
                        keys.append(item.code)
        totals = [self.money(sum(getattr(i, g) for i in items)) for g in getters]
        rows.append([Cell("合计", colspan=4)] + totals)
        keys.append("合计")
        return rows, keys

    @staticmethod
    def code_cells(code: str) -> list[str]:
        """A code split into its 类, 款 and 项 cells."""
        return [code[:3], code[3:5], code[5:7]]

    @staticmethod
    def function_header(group: str, columns: list[str]) -> list[Row]:
        """The three header rows of a function-classification table."""
        return [[Cell("项目", colspan=4), Cell(group, colspan=len(columns))],
                [Cell("功能分类科目编码", colspan=3), Cell("功能分类科目名称", rowspan=2)]
                + [Cell(c, rowspan=2) for c in columns],
                ["类", "款", "项"]]

    def function_table(self, key: str, group: str, columns: list[str], getters: list[str], fiscal_only: bool,
                       widths: list[float]) -> Table:
        """A function-classification table with one column per attribute."""
        rows, keys = self.function_rows(getters, fiscal_only)
        return self.table(key, self.function_header(group, columns), rows, keys, FUNC_WIDTHS + widths,
                          ["类", "款", "项", "名称"] + columns, list("cccl") + ["r"] * len(columns))

    def income_table(self) -> Table:
        """2. 收入预算总表."""
        t = self.function_table("income", "收入预算", ["合计", "财政拨款收入", "事业收入", "事业单位经营收入", "其他收入"],
                                ["total", "fiscal", "other", "zero", "zero"], False, [92, 82, 82, 82, 82])
        self.cells.append(CellFact(t.key, "合计", "合计", t.cell("合计", "合计"), wan(self.led.total())))
        return t

    def expenditure_table(self) -> Table:
        """3. 支出预算总表."""
        t = self.function_table("expenditure", "支出预算", ["合计", "基本支出", "项目支出"],
                                ["total", "basic_all", "project"], False, [118, 118, 118])
        led = self.led
        self.cells.append(CellFact(t.key, "合计", "项目支出", t.cell("合计", "项目支出"), wan(led.project())))
        probe = self.led.probe_item()
        self.cells.append(CellFact(t.key, probe.code, "基本支出", t.cell(probe.code, "基本支出"),
                                   wan(probe.basic + probe.other)))
        return t

    def fiscal_table(self) -> Table:
        """4. 财政拨款收支预算总表."""
        led = self.led
        f = led.fiscal()
        lines = [("一、一般公共预算资金", f), ("二、政府性基金", 0), ("三、国有资本经营预算", 0)]
        classes = [c for c in led.classes() if led.rollup(c, "fiscal")]
        n = max(len(lines), len(classes)) + 4
        rows: list[Row] = []
        for i in range(n):
            left = [lines[i][0], yuan_text(lines[i][1], "")] if i < len(lines) else ["", ""]
            if i < len(classes):
                v = led.rollup(classes[i], "fiscal")
                right = [f"{CN_NUM[i]}、{name(classes[i])}", self.money(v), self.money(v), "", ""]
            else:
                right = ["", "", "", "", ""]
            rows.append(left + right)
        rows.append(["收入总计", self.money(f), "支出总计", self.money(f), self.money(f), "", ""])
        header: list[Row] = [[Cell("财政拨款收入", colspan=2), Cell("财政拨款支出", colspan=5)],
                             ["项目", "预算数", "项目", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"]]
        keys = [f"r{i}" for i in range(n)] + ["总计"]
        return self.table("fiscal_summary", header, rows, keys, [160, 90, 190, 90, 90, 90, 100],
                          ["收入项目", "收入预算数", "支出项目", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"],
                          ["l", "r", "l", "r", "r", "r", "r"])

    def general_table(self) -> Table:
        """5. 一般公共预算支出功能分类预算表."""
        t = self.function_table("general_function", "一般公共预算支出", ["合计", "基本支出", "项目支出"],
                                ["fiscal", "basic", "project"], True, [118, 118, 118])
        led = self.led
        self.cells.append(CellFact(t.key, "合计", "基本支出", t.cell("合计", "基本支出"), wan(led.basic())))
        big = max((i for i in led.items if i.project), key=lambda i: i.project)
        self.cells.append(CellFact(t.key, big.code, "项目支出", t.cell(big.code, "项目支出"), wan(big.project)))
        return t

    def empty_function_table(self, key: str) -> Table:
        """6./7. an empty 政府性基金 or 国有资本经营 table in the chosen empty style."""
        group = "政府性基金预算支出" if key == "gov_fund" else "国有资本经营预算支出"
        what = "政府性基金预算" if key == "gov_fund" else "国有资本经营预算"
        columns = ["合计", "基本支出", "项目支出"]
        blanks = 11 if self.opt.empty_style == "note" else 1
        rows: list[Row] = [[""] * 7 for _ in range(blanks)] + [[Cell("合计", colspan=4), "", "", ""]]
        notes = [f"注:本{self.unit_word}{self.y}年无{what}财政拨款安排的预算，故本表为空表。"] \
            if self.opt.empty_style == "note" else []
        keys = [f"blank{i}" for i in range(blanks)] + ["合计"]
        return self.table(key, self.function_header(group, columns), rows, keys, FUNC_WIDTHS + [118, 118, 118],
                          ["类", "款", "项", "名称"] + columns, list("cccl") + ["r"] * 3, notes=notes)

    def econ_table(self) -> Table:
        """8. 一般公共预算基本支出部门预算经济分类预算表."""
        led = self.led
        rows: list[Row] = []
        keys: list[str] = []
        for cls in ("301", "302", "303", "310"):
            codes = [c for c in led.econ if c.startswith(cls) and led.econ[c]]
            if not codes:
                continue
            total = sum(led.econ[c] for c in codes)
            person = cls in ("301", "303")
            rows.append([cls, "", ECON[cls], self.money(total), self.money(total if person else 0),
                         self.money(0 if person else total)])
            keys.append(cls)
            for c in codes:
                kuan = c[3:].lstrip("0") if self.opt.short_econ_codes and c[3] == "0" and c[4] in "27" else c[3:]
                v = led.econ[c]
                rows.append([cls, kuan, ECON[c], self.money(v), self.money(v if person else 0),
                             self.money(0 if person else v)])
                keys.append(c)
        rows.append([Cell("合计", colspan=3), self.money(led.basic()), self.money(led.personnel()),
                     self.money(led.public())])
        keys.append("合计")
        header: list[Row] = [[Cell("项目", colspan=3), Cell("一般公共预算基本支出", colspan=3)],
                             [Cell("部门预算经济分类科目编码", colspan=2), Cell("经济分类科目名称", rowspan=2),
                              Cell("合计", rowspan=2), Cell("人员经费", rowspan=2), Cell("公用经费", rowspan=2)],
                             ["类", "款"]]
        t = self.table("basic_econ", header, rows, keys, [60, 60, 250, 120, 120, 120],
                       ["类", "款", "名称", "合计", "人员经费", "公用经费"], ["c", "c", "l", "r", "r", "r"])
        probe = "30217" if "30217" in keys else next(k for k in keys if k.startswith("302") and len(k) == 5)
        self.cells.append(CellFact(t.key, probe, "合计", t.cell(probe, "合计"), wan(led.econ[probe])))
        self.cells.append(CellFact(t.key, "合计", "人员经费", t.cell("合计", "人员经费"), wan(led.personnel())))
        return t

    def sangong_table(self) -> Table:
        """9. 三公 and 机关运行经费 table (万元)."""
        sg, y = self.led.sangong, self.y
        values = [sg.total, sg.abroad, sg.reception, sg.cars, sg.car_buy, sg.car_run, self.led.running]
        texts = [wan_text(v, "0", trim=True) for v in values]
        header: list[Row] = [
            [Cell(f"{y}年“三公”经费预算数", colspan=6), Cell(f"{y}年机关运行经费预算数", rowspan=3)],
            [Cell("合计", rowspan=2), Cell("因公出国(境)费", rowspan=2), Cell("公务接待费", rowspan=2),
             Cell("公务用车购置及运行费", colspan=3)],
            ["小计", "购置费", "运行费"]]
        notes = [f"注:本{self.unit_word}{y}年无“三公”经费和机关运行经费预算，故本表为空表。"] \
            if self.opt.sangong_false_note else []
        t = self.table("sangong", header, [texts], ["三公"], [100, 110, 100, 100, 90, 90, 130],
                       ["合计", "因公出国(境)费", "公务接待费", "小计", "购置费", "运行费", "机关运行经费"], ["c"] * 7,
                       meta_right="单位:万元", notes=notes)
        self.cells.append(CellFact(t.key, "三公", "合计", texts[0], wan(sg.total)))
        self.cells.append(CellFact(t.key, "三公", "公务接待费", texts[2], wan(sg.reception)))
        return t

    # 其他相关情况说明 --------------------------------------------------------------------------------------------
    def other_matters(self) -> None:
        """Part 六: 三公, 机关运行经费, 政府采购, 绩效目标, 国有资产."""
        p, led, y = self.p, self.led, self.y
        self.heading("其他相关情况说明", "other")
        sg, prev = led.sangong, led.sangong_prev
        self.para(f"一、{y}年“三公”经费预算情况说明", )
        self.para(f"{y}年“三公”经费预算数为{wan(sg.total):.2f}万元，{self.versus(sg.total, prev.total)}。其中：",
                  tag="sangong_total")
        self.fact("三公经费预算", wan(sg.total), "sangong_total", f"“三公”经费预算数为{wan(sg.total):.2f}万元")
        self.para(f"（一）因公出国（境）费{wan(sg.abroad):.2f}万元，{self.versus(sg.abroad, prev.abroad)}。")
        self.para(f"（二）公务用车购置及运行费{wan(sg.cars):.2f}万元，{self.versus(sg.cars, prev.cars)}。其中："
                  f"公务用车购置费{wan(sg.car_buy):.2f}万元，{self.versus(sg.car_buy, prev.car_buy)}；"
                  f"公务用车运行费{wan(sg.car_run):.2f}万元，{self.versus(sg.car_run, prev.car_run)}。")
        self.para(f"（三）公务接待费{wan(sg.reception):.2f}万元，{self.versus(sg.reception, prev.reception)}。")
        self.para("二、机关运行经费预算")
        admin = sum(1 for _, k in p.subunits if k == "行政") or 1
        quasi = sum(1 for _, k in p.subunits if k == "参公")
        who = f"下属{admin}家机关和{quasi}家参公事业单位" if p.scope == "部门" else ""
        self.para(f"{y}年{p.unit}（{self.unit_word}）{who}财政拨款的机关运行经费预算为{wan(led.running):.2f}万元。",
                  tag="running")
        self.fact("机关运行经费", wan(led.running), "running", f"机关运行经费预算为{wan(led.running):.2f}万元")
        goods, works, services = led.purchase
        self.para("三、政府采购预算情况")
        self.para(f"{y}年本{self.unit_word}政府采购预算{wan(goods + works + services):.2f}万元，其中：政府采购货物预算"
                  f"{wan(goods):.2f}万元、政府采购工程预算{wan(works):.2f}万元、政府采购服务预算{wan(services):.2f}万元。",
                  tag="purchase")
        self.fact("政府采购服务", wan(services), "purchase", f"政府采购服务预算{wan(services):.2f}万元")
        self.para(f"{y}年本{self.unit_word}面向中小企业预留政府采购项目预算金额{wan(led.sme[0]):.2f}万元，其中，"
                  f"预留给小型和微型企业的政府采购项目预算为{wan(led.sme[1]):.2f}万元。")
        self.para("四、绩效目标设置情况")
        units = len(p.subunits) if p.scope == "部门" else 1
        self.para(f"按照{p.place}预算绩效管理工作的总体要求，本{self.unit_word}{units}个预算单位开展了{y}年项目预算绩效目标"
                  f"编报工作，编报绩效目标的项目{led.perf_projects}个，涉及项目预算资金{wan(led.project()):.2f}万元。",
                  tag="perf")
        self.fact("绩效目标项目数", led.perf_projects, "perf", f"项目{led.perf_projects}个")
        self.para("五、国有资产占有使用情况")
        self.assets()

    def versus(self, now: int, before: int) -> str:
        """'比上年预算增加X万元' or '与上年预算持平'."""
        if now == before:
            return f"与{self.y - 1}年预算持平"
        word = change_word(now - before)
        return f"比{self.y - 1}年预算{word}{wan(abs(now - before)):.2f}万元"

    def assets(self) -> None:
        """Vehicles by kind, equipment and floor area."""
        p, led, y = self.p, self.led, self.y
        v = led.vehicles
        total = sum(v.values())
        kinds = "、".join(f"{k}{v.get(k, 0)}辆" for k in VEHICLE_KINDS)
        self.para(f"截至{y - 1}年8月31日，{p.unit}（{self.unit_word}）共有车辆{total}辆，其中：{kinds}；"
                  f"单价100万元（含）以上设备（不含车辆）{led.equipment}台（套）。", tag="vehicles")
        self.fact("车辆数", total, "vehicles", f"共有车辆{total}辆")
        new = led.vehicles_new
        kinds_new = "、".join(f"{k}{new if k == '其他用车' else 0}辆" for k in VEHICLE_KINDS)
        self.para(f"{y}年{self.unit_word}预算安排购置车辆{new}辆，其中：{kinds_new}；{self.unit_word}预算安排购置单价100万元"
                  f"（含）以上设备（不含车辆）0台（套）。")
        if led.floor_area:
            self.para(f"截至{y - 1}年8月31日，本{self.unit_word}占有使用房屋建筑面积{led.floor_area:.2f}平方米。",
                      tag="floor")
            self.fact("房屋面积", led.floor_area, "floor", f"房屋建筑面积{led.floor_area:.2f}平方米")

    # 项目经费情况说明 and 绩效目标 forms ----------------------------------------------------------------------------
    def project_notes(self) -> None:
        """Part 七: 项目经费情况说明, then the 绩效目标 forms."""
        proj = self.p.projects[0]
        self.heading("项目经费情况说明", "projects")
        quarter = proj.amount // 4
        plan = [quarter, quarter, quarter, proj.amount - 3 * quarter]
        parts = [("一、项目概况", f"{proj.name}由{self.p.unit}组织实施，{proj.goal}"),
                 ("二、立项依据", f"根据{self.p.place}年度重点工作安排和{self.p.unit}职能要求设立。"),
                 ("三、实施主体", f"{self.p.unit}。"),
                 ("四、实施方案", "按照年度计划分阶段组织实施，严格执行政府采购和合同管理规定，加强过程监管。"),
                 ("五、实施周期", f"{self.y}年1月1日至{self.y}年12月31日。"),
                 ("六、年度预算安排", "，".join(f"第{CN_NUM[i]}季度用款计划{wan(v):.2f}万元" for i, v in enumerate(plan)) + "。"),
                 ("七、绩效目标", proj.goal)]
        for head, body in parts:
            self.para(head)
            self.para(body, tag="project_plan" if head.startswith("六") else None)
        self.fact("项目季度用款", wan(plan[0]), "project_plan", f"第一季度用款计划{wan(plan[0]):.2f}万元")
        for proj in self.p.projects[: self.opt.forms]:
            self.blocks.append(perf_form(proj, self.p.unit, self.y, f"form:{proj.name}"))

    # questions -------------------------------------------------------------------------------------------------
    def make_questions(self) -> None:
        """13–14 questions: totals, 三公, cells, prose facts, a change with its reason, two unanswerable ones."""
        p, led, y = self.p, self.led, self.y
        names = iter(p.short * 8)
        n = lambda: f"{y}年{next(names)}"  # noqa: E731
        alt = lambda v: alternatives(v, "元")  # noqa: E731
        econ_gone = "basic_econ" in self.opt.missing
        self.ask(f"{n()}的收入预算总额是多少？", [alt(led.total())])
        delta = led.fiscal() - led.prev_fiscal
        self.ask(f"{n()}财政拨款收入比上年预算增加还是减少了？变化多少？", [alt(abs(delta))], [[change_word(delta)]])
        self.ask(f"{n()}的“三公”经费预算是多少？", [[wan(led.sangong.total)]])
        item = self.led.probe_item()
        self.ask(f"{n()}支出预算总表里“{name(item.code)}”（{item.code}）的基本支出是多少？", [alt(item.basic + item.other)])
        if econ_gone:
            self.ask(f"{n()}一般公共预算基本支出中的人员经费是多少？", want="unknown")
        else:
            self.ask(f"{n()}一般公共预算基本支出中的人员经费是多少？", [alt(led.personnel())])
        self.ask(f"{n()}的项目支出预算合计是多少？", [alt(led.project())])
        if p.scope == "部门":
            self.ask(f"{next(names)}下属有几家预算单位？（{y}年部门预算）", [[len(p.subunits) - 1]])
        self.ask(f"{next(names)}有几个内设机构？（{y}年{self.unit_word}预算）", [[len(p.departments)]])
        self.ask(f"{n()}{self.unit_word}预算里说共有多少辆车？", [[sum(led.vehicles.values())]])
        changed = [i for i in led.items if i.fiscal and i.prev != i.fiscal]
        pick = max(changed, key=lambda i: i.fiscal)
        ratio = pct(abs(pick.fiscal - pick.prev), pick.prev)
        self.ask(f"{n()}“{path_name(pick.code)}”比{y - 1}年预算执行数变化了百分之多少？主要原因是什么？", [[ratio]],
                 [[change_word(pick.fiscal - pick.prev)], [pick.reason]])
        self.ask(f"{n()}的机关运行经费预算是多少？", [[wan(led.running)]])
        self.ask(f"{n()}政府采购预算中服务类是多少？", [[wan(led.purchase[2])]])
        self.ask(f"{n()}在编在职人员有多少人？", want="unknown")
        self.ask(f"{n()}信息化项目的中标供应商是哪家公司？", want="unknown")


def perf_form(proj, unit: str, year: int, key: str) -> Table:
    """A 财政项目支出绩效目标填报表 on a portrait page: the title is the table's first (merged) row."""
    amount = f"{proj.amount:,.2f}"
    rows: list[Row] = [
        [Cell("财政项目支出绩效目标填报表", colspan=8)],
        [Cell(f"（{year}年度）", colspan=8)],
        [Cell("项目名称", colspan=2), Cell(proj.name, colspan=2), "项目性质", proj.nature, "项目类别", proj.category],
        [Cell("主管部门", colspan=2), Cell(unit, colspan=2), "实施单位", Cell(unit, colspan=3)],
        [Cell("计划开始日期", colspan=2), Cell(f"{year}-01-01", colspan=2), "计划完成日期", Cell(f"{year}-12-31", colspan=3)],
        [Cell("项目资金（元）", colspan=2, rowspan=4), Cell("项目资金总额", colspan=1), Cell(amount), Cell("年度资金申请总额", colspan=2),
         Cell(amount, colspan=2)],
        ["其中：财政资金", amount, Cell("其中：当年财政拨款", colspan=2), Cell(amount, colspan=2)],
        ["", "", Cell("上年结转资金", colspan=2), Cell("0.00", colspan=2)],
        ["其他资金", "0.00", Cell("其他资金", colspan=2), Cell("0.00", colspan=2)],
        [Cell("项目绩效目标", rowspan=2), Cell("项目总目标", colspan=4), Cell("年度总体目标", colspan=3)],
        [Cell(proj.goal, colspan=4, align="l"), Cell(proj.goal, colspan=3, align="l")],
        [Cell("绩效指标", rowspan=len(proj.indicators) + 1), "一级指标", "二级指标", Cell("三级指标", colspan=3),
         Cell("年度(/项目)指标值", colspan=2)],
    ]
    rows.extend(indicator_rows(proj.indicators))
    return Table(key=key, title="", header=[], rows=rows, widths=[40, 55, 75, 95, 70, 75, 50, 70], aligns=["c"] * 8,
                 landscape=False, size=10.5, row_height=22, title_size=1, title_gap=0, page_tag=key)


def indicator_rows(indicators: list) -> list[Row]:
    """Indicator rows with runs of equal 一级/二级 指标 merged vertically, as the forms print them."""
    keys = [(ind.level1,) for ind in indicators], [(ind.level1, ind.level2) for ind in indicators]
    rows: list[Row] = []
    for i, ind in enumerate(indicators):
        row: Row = []
        for level, key in zip((ind.level1, ind.level2), keys, strict=True):
            if i and key[i - 1] == key[i]:
                continue
            span = 1
            while i + span < len(indicators) and key[i + span] == key[i]:
                span += 1
            row.append(Cell(level, rowspan=span))
        rows.append(row + [Cell(ind.level3, colspan=3), Cell(ind.value, colspan=2)])
    return rows
