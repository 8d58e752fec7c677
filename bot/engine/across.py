"""Questions over several loaded documents: side by side, a difference between two, a ranking, or a choice."""
from __future__ import annotations

import re
from typing import Callable

from ..answers import Answer
from ..compose import cap, main_value
from ..format import Fact, amount
from ..understand import Context
from .resolve import SEVERAL_YEARS, Resolution
from .view import MAX_REPLY, DocView

RANKING = re.compile(r"(哪个|哪家|哪一个|什么)(单位|部门|街道|文件)|(各|每个|所有)(单位|部门|文件)|谁(最|的|更)?(多|少|高|低|大|小)|"
                     r"哪个(多|少|高|低|大|小)|哪家(多|少|高|低)|排(个|一下)?(名|序)|排序|排行|按(大小|金额|多少)?排|"
                     r"(由|从)(高|大|多)到(低|小|少)")
RATIO = re.compile(r"倍")
SUM = re.compile(r"加起来|加在一起|合起来|一共|总共|合计|相加|之和|总和")
COMPARE = re.compile(r"比|相差|差多少|差额|差距|增加多少|减少多少|增长多少|多了多少|少了多少|变化|增长率|增幅|降幅|涨幅|"
                     r"变动率|增减|涨了|降了")
CHANGE_WORDS = re.compile(r"(增长|下降|增加|减少|上升|降低|提高)了?(多少|几)?")
PERCENT = re.compile(r"百分之几|百分比|几成|%|％|几个点")
SIDE_BY_SIDE = re.compile(r"分别|各|和|与|跟|及|对比|比较|(几个|[两三四五六七八九十]个|这些|所有|全部)[\u4e00-\u9fff]{0,4}?(单位|部门|文件)")
SHAPE = re.compile(r"(最|更)(多|少|高|低|大|小)的?(是|为)?(哪个|哪家|哪一个)(单位|部门)?|(哪几个|哪几家|哪家)(单位|部门)?|(几|各|每一?)家[\u4e00-\u9fff]{0,4}?(单位|部门)(里|中|当中|之中)?|谁的|(哪个|哪家|哪一个|什么)(单位|部门|街道|文件)|(各|每个|所有|全部|这些|几个|[两三四五六七八九十]个)[\u4e00-\u9fff]{0,4}?(单位|部门|文件)|"
                   r"最多|最少|最高|最低|谁(多|少|高|低)|哪(个|家)(多|少|高|低|大|小)|的?比较|排(个|一下)?名|排序|排行|"
                   r"谁最|分别|各自|对比|比较|(?<=\d年)(和|与|跟|及)|^(和|与|跟|及)|比[^，。？]*$|(19|20)\d\d(年度?)?|"
                   r"是?的?(几|多少)倍|倍数|加起来|加在一起|合起来|一共|总共|相加|之和|总和|相差多少|差多少|差额|"
                   r"谁(最|更)?(多|少|高|低|大|小)|按(大小|金额|多少)?排(个序|序|名)?|排(个|一下)?(名|序)|"
                   r"(由|从)(高|大|多)到(低|小|少)|^[、，,和与跟及]+|[、，,和与跟及]+$|^的|"
                   r"(这|近)?(两|几|三)年的?|历年的?|各年的?|每年的?|各是|各为")
LEAST = re.compile(r"最少|最低|最小")


ASKING_ONLY = re.compile(r"少了|多了|增加了|减少了|增加|减少|多少钱|多少|几|为啥|为什么|原因|是|的|呢|吗|了|钱|\s")
STAGE_ONLY = {"预算": "收支总额", "决算": "收支总额", "预算数": "收支总额", "决算数": "收支总额", "总预算": "收支总额",
              "经费": "收支总额", "钱": "收支总额", "收入": "收入总计", "支出": "支出总计", "总收入": "收入总计",
              "总支出": "支出总计"}


def subject_question(text: str, compared: bool = False) -> str:
    """What to ask each document: the question without its units, years and the comparison itself ("预算" alone,
    compared across documents, is their totals). compared: the comparison is made here, so each document is
    asked for its figure only ("增长百分之几" is worked out from the two)."""
    several, compared = compared, compared and bool(COMPARE.search(text))
    text = re.sub(r"(比|较|相比|对比|与|和|跟)((19|20)?\d\d年度?|去年|上年|上一年)(相比|比)?", "", text)  # "2024年比2023年政府采购…": the subject stays
    if compared:
        text = COMPARE.sub("", PERCENT.sub("", CHANGE_WORDS.sub("", text))) or text
    rest = SHAPE.sub("", text).strip("，,。？?的了 ")
    if several:  # each document answers in its own stage ("规划局三公决算和人社局三公预算哪个多")
        bare = re.sub(r"(?<![总年度])(决算|预算)数?", "", rest).strip("，,。？?的了 ")
        rest = bare if len(ASKING_ONLY.sub("", bare)) >= 2 else rest
    rest = re.sub(r"^(.+?)(和|与|跟|及)\1$", r"\1", rest)  # "规划局三公和人社局三公": 三公, asked once
    if not ASKING_ONLY.sub("", rest):
        return "收支总额" + rest  # "万里2024比2023少了多少钱": the totals, asked the same way
    return STAGE_ONLY.get(rest, rest) or text


def across(views: list[DocView], text: str, res: Resolution, ask: Callable[[DocView, str], Answer],
           said: str = "") -> Answer:
    """Answer over several documents, or ask which one when the question does not say (said: the question as
    typed, units and all, for their order)."""
    several = res.named and (len(res.units) >= 2 or len(set(res.years)) >= 2 or RANKING.search(text)
                             or SEVERAL_YEARS.search(text)
                             or SIDE_BY_SIDE.search(text) or RATIO.search(text) or SUM.search(text))
    if not several:
        probe = ask(views[0], text)
        if probe.status == "unknown":  # "上海最低工资": no document answers it, whichever is meant
            return probe
        options = [f"{v.doc.short}{without_place(subject_question(text), v.doc)}" for v in views][:8]
        return Answer("clarify", "这个问题可能涉及几份已载入的文件，您问的是哪一份？", suggestions=options,
                      tier="clarify")
    question = subject_question(text, compared=len(views) >= 2)
    answers = [(v, ask(v, question)) for v in views]
    answered = [(v, a) for v, a in answers if a.status == "answer"]
    if not answered:
        return Answer("unknown", f"这几份文件都没有“{question}”的数据：" + "、".join(v.doc.label for v in views) + "。",
                      tier="unknown")
    values = [(v, a, main_value(a.facts)) for v, a in answered]
    lines: list[str] = []
    facts: list[Fact] = []
    ranked: tuple[int, ...] = ()
    numeric = all(x is not None for _, _, x in values)
    if RANKING.search(text) and numeric:
        values.sort(key=lambda t: t[2], reverse=not LEAST.search(text))
        lines.append(f"{question}（按金额从{'低到高' if LEAST.search(text) else '高到低'}，{len(values)}份文件）：")
        for k, (v, a, x) in enumerate(values, 1):
            lines.append(f"第{k}名 {v.doc.label}：{amount(x)}")
            facts.append(next(f for f in a.facts if f.unit == "万元"))
        ranked = tuple(v.doc.id for v, _, _ in values)
    else:
        values = _in_question_order(values, said or text, res)
        for v, a, _ in values:
            first = re.sub(r"[，,]?(其中|如下|明细)?[：:]$", "", a.body.split("\n")[0])
            lines.append(f"【{v.doc.label}】{first}" + (f"（来源：{a.source}）" if a.source else ""))
            facts += a.facts
        if numeric and len(values) >= 2:
            derived = _arithmetic(values, text)
            if derived:
                lines.append(derived[0])
                facts.append(derived[1])
    stages = {v.doc.stage for v, _, _ in values}
    years = {v.doc.year for v, _, _ in values}
    if len(stages) > 1 or len(years) > 1 and len({v.doc.unit for v, _, _ in values}) > 1:
        lines.append("注意：比较的文件" + ("分属预算和决算" if len(stages) > 1 else "年度不同") + "，口径不完全相同。")
    missing = [v.doc.label for v, a in answers if a.status != "answer"]
    if missing:
        lines.append("以下文件没有这项数据：" + "、".join(missing) + "。")
    return Answer("answer", cap("\n".join(lines), MAX_REPLY), ",".join(a.query or "" for _, a, _ in values), {},
                  100.0, facts, document="；".join(v.doc.label for v, _, _ in values), tier="across",
                  ranked=ranked, documents=tuple(v.doc.id for v, _, _ in values),
                  subject=values[0][1].subject)


def _arithmetic(values: list, text: str) -> tuple[str, Fact] | None:
    """The figures combined as the question asks (几倍, 相差, 加起来), with the working shown."""
    names = [v.doc.short for v, _, _ in values]
    nums = [x for _, _, x in values]
    if RATIO.search(text) and len(nums) == 2 and nums[1]:
        times = (nums[0] / nums[1]).quantize(type(nums[0])("0.01"))
        return (f"倍数：{amount(nums[0])} ÷ {amount(nums[1])} = {times}倍（{names[0]}是{names[1]}的{times}倍，"
                f"由以上数字相除）", Fact(f"{names[0]}/{names[1]}", float(times), "倍", "由以上数字相除"))
    if SUM.search(text):
        total = sum(nums)
        return ("合计：" + " + ".join(amount(x) for x in nums) + f" = {amount(total)}（由以上数字相加）",
                Fact("＋".join(names), float(total), "万元", "由以上数字相加"))
    if len(nums) == 2 and PERCENT.search(text) and not COMPARE.search(text) and nums[1]:
        share = (nums[0] * 100 / nums[1]).quantize(type(nums[0])("0.01"))  # "人社局的是福利院的百分之几"
        return (f"比例：{amount(nums[0])} ÷ {amount(nums[1])} = {share}%（{names[0]}是{names[1]}的{share}%，"
                f"由以上数字相除）", Fact(f"{names[0]}/{names[1]}", float(share), "%", "由以上数字相除"))
    if len(nums) == 2 and (COMPARE.search(text) or RANKING.search(text)):
        d = nums[0] - nums[1]
        word = "多" if d >= 0 else "少"
        line = (f"相差：{amount(nums[0])} − {amount(nums[1])} = {amount(d)}（{names[0]}比{names[1]}{word}"
                f"{amount(abs(d))}")
        docs = [v.doc for v, _, _ in values]
        if docs[0].unit == docs[1].unit and docs[0].year != docs[1].year:  # a unit's two years: the change's rate
            new, old = (0, 1) if docs[0].year > docs[1].year else (1, 0)
            if nums[old]:
                rate = ((nums[new] - nums[old]) * 100 / nums[old]).quantize(type(nums[0])("0.01"))
                grew = "增长" if rate >= 0 else "下降"
                line += (f"；{docs[new].year}年比{docs[old].year}年{grew}{abs(rate)}%"
                         f"（{amount(abs(nums[new] - nums[old]))} ÷ {amount(nums[old])}）")
        elif PERCENT.search(text) and nums[1]:
            rate = (d * 100 / nums[1]).quantize(type(nums[0])("0.01"))
            line += f"，{word}{abs(rate)}%（{amount(abs(d))} ÷ {amount(nums[1])}）"
        return (line + "，由以上数字相减）", Fact(f"{names[0]}−{names[1]}", float(d), "万元", "由以上数字相减"))
    return None


def without_place(text: str, doc) -> str:
    """The question without the place names its option's document already carries (普陀区…)."""
    for name in sorted(doc.regions, key=len, reverse=True):
        text = text.replace(name, "")
    return text.strip("的 ") or text


def _in_question_order(values: list, text: str, res: Resolution) -> list:
    """The documents in the order the question names them (units first, then years: "2024年…比2023年")."""
    def pos(t) -> tuple[int, int, int]:
        doc = t[0].doc
        said = [at for n in (*doc.names, doc.short_unit) if (at := text.find(n)) >= 0]
        unit = next((k for k, group in enumerate(res.units) if doc.id in group), len(res.units))
        year = text.find(str(doc.year))
        return unit, min(said) if said else len(text), year if year >= 0 else len(text)
    return sorted(values, key=pos)


def follow_context(ans: Answer, ctx: Context) -> Context:
    """What a cross-document answer leaves for the next question."""
    return Context(ans.subject, (), ctx.document, ans.ranked, ans.query)
