"""A ~500-page 部门预算 汇编: a 教育局's own document followed by the 单位预算 tables of every school it runs."""
from __future__ import annotations

import random

from .budget_doc import BudgetBuilder, BudgetOptions
from .ledger import Plan, SanGong, make_ledger, set_history
from .money import alternatives
from .profile import Profile
from .render import lay_out
from .spec import Block, Document, Heading, PageBreak, Paragraph, Question
from .units import make_unit

STEMS = ["东湖", "西岭", "南浦", "北苑", "明德", "育英", "启明", "新城", "滨江", "青松", "丰泽", "云霞", "文汇", "博雅",
         "春晖", "晨光", "立人", "致远", "星河", "兰亭", "临湖", "翠竹", "金桥", "银杏", "梧桐", "枫叶", "樱园", "海棠",
         "长风", "清源", "景行", "弘毅", "知行", "思源", "行知", "惠民", "安亭", "锦绣", "华林", "紫薇", "梅园", "杏坛",
         "书院", "凌云", "鹏程", "远航", "朝阳", "向荣", "和平", "友谊", "民生", "建设", "光明", "新华", "五里", "双桥",
         "七宝", "三林", "九亭", "白鹤"]
TYPES = [("小学", "2050202"), ("中学", "2050203"), ("幼儿园", "2050201")]


def school_names(district: str) -> list[tuple[str, str]]:
    """(name, function 项) for every made-up school of the district."""
    return [(f"上海市{district}{stem}{kind}", code) for kind, code in TYPES for stem in STEMS]


def school_blocks(name: str, code: str, year: int, seed: int, key: str) -> tuple[list[Block], BudgetBuilder]:
    """The four 单位预算 tables of one school, each on its own portrait page."""
    rng = random.Random(seed)
    personnel = rng.randint(60, 300) * 100_000 + rng.randint(0, 99_999)
    plan = Plan(seed=seed, personnel=personnel, public=int(personnel * rng.uniform(0.08, 0.14)), run_items=[code],
                projects={code: rng.randint(4, 60) * 10_000}, medical_split=0.0, retired="2080502",
                sangong=SanGong(reception=rng.randint(0, 8) * 1000, car_run=0))
    led = make_ledger(plan)
    led.running = 0  # schools are 事业单位: no 机关运行经费
    set_history(led, seed)
    profile = Profile(unit=name, short=[name.replace("上海市", "")], year=year, scope="单位")
    b = BudgetBuilder(key, profile, led, BudgetOptions(zero=""))
    tables = [b.summary_table(), b.expenditure_table(), b.econ_table(), b.sangong_table()]
    for t in tables:
        t.key = t.page_tag = f"{key}:{t.key}"
        t.landscape, t.size, t.row_height, t.title_size = False, 10.0, 17.0, 15.0
    for c in b.cells:
        c.table = f"{key}:{c.table}"
    tables[0].supertitle = f"{name}{year}年单位预算"
    return list(tables), b


def compilation(doc_id: str, district: str = "澄江区", year: int = 2025, pages: int = 500) -> Document:
    """The 教育局's 部门预算 and then school sections, padded with '（本页无正文）' pages to exactly `pages`."""
    profile, led = make_unit("education", year, district, seed=77)
    base = BudgetBuilder(doc_id, profile, led, BudgetOptions(forms=1)).build()
    base.questions = [q for q in base.questions if "“" not in q.q][:8]
    names = school_names(district)
    sections = [school_blocks(*names[0], year, 1000, "s000")]
    intro: list[Block] = [Heading("下属单位预算", 22, new_page=True, tag="schools"),
                          Paragraph(f"本部分公开{profile.unit}所属各预算单位{year}年单位预算表。", tag="schools_intro")]
    head = _pages(base, base.blocks + intro)
    per = _pages(base, base.blocks + intro + sections[0][0]) - head
    count = min(len(names), (pages - head) // per)
    pad = pages - head - count * per
    sections += [school_blocks(n, c, year, 1000 + i, f"s{i:03d}") for i, (n, c) in enumerate(names[1:count], start=1)]
    blocks = base.blocks + intro
    for tables, _ in sections[:count]:
        blocks.extend(tables)
    for _ in range(pad):
        blocks += [PageBreak(landscape=False), Paragraph("（本页无正文）", indent=0)]
    base.blocks = blocks
    _school_truth(base, sections[:count], year)
    base.meta.description = f"{count} school sections after the department's own tables; {pad} blank pages at the end"
    return base


def _pages(doc: Document, blocks: list[Block]) -> int:
    probe = Document(doc.id, doc.meta, doc.style, blocks)
    return len(lay_out(probe).pages)


def _school_truth(doc: Document, sections: list[tuple[list[Block], BudgetBuilder]], year: int) -> None:
    """Cells and questions for three schools spread through the document."""
    picks = [sections[3], sections[len(sections) // 2], sections[-2]]
    for _, b in picks:
        doc.cells.extend(b.cells[:2])
        total = b.led.total()
        doc.questions.append(Question(f"{year}年{b.p.short[0]}的单位预算支出总计是多少？", nums=[alternatives(total, "元")]))
    doc.questions.append(Question(f"{year}年{sections[0][1].p.short[0]}的在校学生人数是多少？", want="unknown"))

