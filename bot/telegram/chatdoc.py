"""A chat's document, as the shell shows it: the headline that names it, the examples and /help that fit it, and the
words of its kind (预算 or 决算) on buttons. No matching of questions here: examples are the engine's own answers."""
from __future__ import annotations

import html
import re
from functools import lru_cache

from ..engine import Answer, Engine
from ..engine.library import Doc
from ..engine.view import DocView
from ..understand import Context
from .render import reply_text, shorten

EXAMPLES_SHOWN = 8
QUOTE_LIMIT = 24          # characters of a question quoted in a group's headline
DOCS_NAMED = 3            # documents a headline names before "等N份"
DOCS_LISTED = 8           # documents /help lists
# Example questions every document may answer, after the vocabulary's own: checked against each document.
GENERIC_EXAMPLES = ("支出按功能分类的结构", "全部功能科目")
# On a 决算's buttons, the words of a budget read as the words of final accounts (the question asked is unchanged).
FINAL_WORDS = (("预算多少", "决算数多少"), ("预算是多少", "决算数是多少"), ("预算数", "决算数"), ("预算", "决算"))
KEPT_WORDS = ("年初预算", "一般公共预算", "政府性基金预算", "国有资本经营预算", "预算单位")  # names, not the stage
YEAR = re.compile(r"(20\d\d)年")


def chat_document(chat_data: dict | None) -> int | None:
    """The document a chat is about (chosen with /doc or the last one named), if any."""
    kept = (chat_data or {}).get("context") or {}
    doc = kept.get("document") if isinstance(kept, dict) else None
    return doc if isinstance(doc, int) else None


def stage_label(text: str, stage: str) -> str:
    """A button's label in the words of the document's kind: "公务接待费预算多少" on a 决算 reads "…决算数多少"."""
    if stage != "决算":
        return text
    kept = {f"\x00{k}\x00": word for k, word in enumerate(KEPT_WORDS)}
    for mark, word in kept.items():
        text = text.replace(word, mark)
    for old, new in FINAL_WORDS:
        text = text.replace(old, new)
    for mark, word in kept.items():
        text = text.replace(mark, word)
    return text


@lru_cache(maxsize=256)
def _examples(engine: Engine, doc_id: int) -> tuple[str, ...]:
    view = engine.view(doc_id)
    words = engine.words.get("help", {})
    candidates = list(words.get("examples", []) if doc_id == engine.default_id else [])
    candidates += list(words.get("any_document", []))
    candidates += [q.suggest for q in engine.queries.values()
                   if q.stages == (view.doc.stage,) and q.suggest and "{" not in q.suggest and not q.fallback
                   and any(s.startswith("topic:") for s in q.subject)]
    candidates += GENERIC_EXAMPLES
    found: list[str] = []
    queries: set[str | None] = set()
    for question in dict.fromkeys(candidates):
        if any(int(y) != view.doc.year for y in YEAR.findall(question)):
            continue
        if view.doc.stage == "决算" and "预算" in question.replace("年初预算", ""):
            continue
        ans = engine.answer(question, Context(document=doc_id))
        if ans.status == "answer" and ans.document_id == doc_id and ans.facts and ans.query not in queries:
            found.append(question)
            queries.add(ans.query)
    return tuple(found[:EXAMPLES_SHOWN])


def examples(engine: Engine, view: DocView) -> list[str]:
    """Example questions this document answers with a figure (each tried on it), at most EXAMPLES_SHOWN."""
    return list(_examples(engine, view.doc.id))


def answer_docs(engine: Engine, ans: Answer, here: DocView) -> list[Doc]:
    """The documents a reply is about: those it used, else the chat's own."""
    ids = [i for i in (ans.documents or ((ans.document_id,) if ans.document_id else ())) if engine.library.exists(i)]
    return [engine.view(i).doc for i in dict.fromkeys(ids)] or [here.doc]


def headline(docs: list[Doc], switched: bool = False, quote: str = "") -> str:
    """The first line of a reply, as HTML: whose figures (unit, year, 预算/决算; linked to where the document was
    published), whether the chat's document just changed, and in a group the question answered."""
    names = []
    for doc in docs[:DOCS_NAMED]:
        name = html.escape(doc.short, quote=False)
        names.append(f'<a href="{html.escape(doc.url, quote=True)}">{name}</a>' if doc.url else name)
    line = "、".join(names) + (f"等{len(docs)}份文件" if len(docs) > DOCS_NAMED else "")
    line = f"📄 {'已切换到 ' if switched else ''}{line}"
    if quote:
        line += f"｜问：{html.escape(shorten(quote, QUOTE_LIMIT), quote=False)}"
    return line


def shown(engine: Engine, ans: Answer) -> str:
    """An answer as a private chat that stays on its document reads it, in plain text: the headline naming the
    document, then the reply (for tests and scripts comparing what was sent with what the engine says)."""
    docs = answer_docs(engine, ans, engine.view(ans.document_id))
    names = "、".join(d.short for d in docs[:DOCS_NAMED]) + (f"等{len(docs)}份文件" if len(docs) > DOCS_NAMED else "")
    return f"📄 {names}\n" + reply_text(ans.status, ans.text, ans.suggestions)


def help_text(engine: Engine, view: DocView) -> str:
    """What the bot can and cannot do now: the documents loaded, the chat's own, and examples that fit it."""
    docs = engine.docs
    finals = [d for d in docs if d.stage == "决算"]
    listed = "、".join(d.short for d in docs[:DOCS_LISTED]) + ("等" if len(docs) > DOCS_LISTED else "")
    shown = "、".join(f"“{q}”" for q in examples(engine, view)[:4])
    lines = [
        f"已载入{engine.library.count}份文件：{listed}。",
        f"本聊天现在问的是：{view.doc.short}（发 /doc 换一份；问题里点名单位、年份或“决算”时问那一份）。",
        "我能做的：",
        "✅ 数字和内容：金额、占比、增减、项目、机构，每个数字都注明来源表格和页码",
        "✅ 接着问：“那去年呢？”“占比呢？”“为什么？”针对上一个问题；群里回复我的某条回答，就接着那一条问",
    ]
    if finals:
        lines.append(f"✅ 决算：{'、'.join(d.short for d in finals[:DOCS_NAMED])}的决算数、年初预算和完成率")
    lines += [
        "✅ 图表 /chart　数据来源 /sources　名词解释 /glossary　数据核对 /check　导出数字 /export",
        "❌ 其他单位、其他年份" + ("" if finals else "或决算") + "的数字（没有载入的文件）",
        "❌ 评价和观点（如“花得多不多”“合不合理”）",
        "❌ 政策解读和办事流程（如怎么参保、怎么申领）",
    ]
    if shown:
        lines.append(f"例如：{shown}")
    return "\n".join(lines)
