"""Question understanding: what a question asks (frame), its constraints, its parts and whether it is in scope.

Pure functions over the normalised text and word lists; no SQL and no formatting here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_N = r"(\d{1,2}|十[一二三四五六七八九]?|[一二两三四五六七八九十])"
TOP_N = re.compile(rf"前{_N}(?:名|位|个|项|大|类|多)?|top{_N}")
NTH = re.compile(rf"(倒数)?(?:排(?:名|在)?|位列|位居)?第{_N}(?:名|位|大|多|高|少|小|低|个|项)?")
MOST = re.compile(r"最(多|大|高|贵|少|小|低|便宜)|(哪|什么)(个|项|类|一项|一个|些)?[^，]{0,6}(多|大|高)(?!少)")
LEAST_WORDS = ("少", "小", "低", "便宜")
# "X算不算Y", "X是Y吗", "X属于Y吗": the first subject is asked to belong to the second.
MEMBER_OF = re.compile(r"^(?:也|还|都)?(?:算不算|算是|算作|算|属于|属不属于|是否属于|是不是|是否算|是否|是|归|归入|列入|计入|在|含在|包含在|包括在)"
                       r"(?:一种|一项|一部分|的一部分|范围|之列|里面|里|中|内|的|么|吗|呢)*$")
# "Y包括X吗", "Y里有没有X": the second subject is asked to belong to the first.
HAS_MEMBER = re.compile(r"^(?:里面|里|中|当中|之中)?(?:包括|包含|包不包括|包不包含|含不含|含|有没有|有|算上|计入了)$")
YES_NO_TAIL = re.compile(r"(吗|么|没有|不是|不算|不属于|否)$")
PART_SPLIT = re.compile(r"[，,；;？?。！!\n]+|(?<=[吗呢])(?=.)")
DIRECTION = {"减少": ("减少", "下降", "少了", "降了", "压减", "缩减", "核减", "降低", "缩水", "砍了"),
             "增加": ("增加", "增长", "多了", "涨了", "上涨", "上升", "提高", "涨")}


@dataclass(frozen=True)
class Rank:
    """A ranking constraint: the order ('max' or 'min'), the first position wanted (1-based) and how many."""

    order: str
    first: int
    count: int


@dataclass
class Context:
    """What a conversation carries from one answer to the next: the chosen document, the subject, a listed set,
    the documents a ranking listed and the query it ranked by."""

    subject: str | None = None
    items: tuple[str, ...] = ()
    document: int | None = None
    ranked: tuple[int, ...] = ()
    query: str | None = None

    @classmethod
    def of(cls, previous: "Context | dict | str | None") -> "Context":
        """A Context from what a shell kept: a Context, its dict, a bare subject key, or nothing."""
        if isinstance(previous, Context):
            return previous
        if isinstance(previous, dict):
            return cls(previous.get("subject"), tuple(previous.get("items") or ()), previous.get("document"),
                       tuple(previous.get("ranked") or ()), previous.get("query"))
        return cls(subject=previous if isinstance(previous, str) else None)

    def to_dict(self) -> dict:
        """Plain data for a shell to keep (Telegram chat_data, a JSON file)."""
        return {"subject": self.subject, "items": list(self.items), "document": self.document,
                "ranked": list(self.ranked), "query": self.query}


@dataclass(frozen=True)
class Frame:
    """What a question asks beyond its subject."""

    rank: Rank | None = None
    yes_no: bool = False
    direction: str | None = None  # the change the question takes for granted ("为什么减少")
    per_capita: bool = False
    ordinal_item: int | None = None  # "第二个" after a list: which listed item
    exists: bool = False  # "有没有…", "有…吗": answered 有/没有 first
    attributes: tuple[str, ...] = field(default_factory=tuple)


def _num(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + CN_NUM.get(text[1:], 0)
    return CN_NUM[text]


def rank_of(text: str) -> Rank | None:
    """The ranking a question asks for: "前三" → top 3, "排第二" → the 2nd, "最少" → the last."""
    least = any(w in text for w in ("最少", "最小", "最低", "最便宜", "倒数"))
    order = "min" if least else "max"
    if m := TOP_N.search(text):
        n = _num(m.group(1) or m.group(2))
        return Rank(order, 1, max(1, min(n, 20)))
    for m in NTH.finditer(text):
        if m.group(0).startswith("第") and not re.search(r"第\S?(名|位|大|多|高|少|小|低)", m.group(0)) \
                and "排" not in text and "倒数" not in text:
            continue  # "第二个是干什么的" names a listed item, not a rank
        return Rank("min" if m.group(1) else order, max(1, _num(m.group(2))), 1)
    if m := MOST.search(text):
        word = m.group(1) or m.group(4) or ""
        return Rank("min" if word in LEAST_WORDS else "max", 1, 1)
    return None


def ordinal_item(text: str) -> int | None:
    """"第二个是干什么的": the position of an item in the previous list, when the question names no rank."""
    m = re.search(rf"第{_N}(?:个|项|条)", text)
    return _num(m.group(1)) if m and "排" not in text else None


def direction_of(text: str) -> str | None:
    """The change a reason question assumes ("为什么减少了" → 减少), if it states one."""
    if not re.search(r"为什么|为何|为啥|原因|咋|怎么", text):
        return None
    for direction, words in DIRECTION.items():
        if any(w in text for w in words):
            return direction
    return None


def membership(text: str, spans: list[tuple[int, int]], yes_no: bool) -> tuple[int, int] | None:
    """For "X属于Y吗" / "Y包括X吗": (index of the part, index of the whole) among the two first spans."""
    if len(spans) < 2:
        return None
    (_, e1), (s2, e2) = spans[0], spans[1]
    mid, tail = text[e1:s2], text[e2:]
    asked = yes_no or re.search(r"不|是否|没有", mid) or re.match(r"^(的)?(一部分|之列|范围|里|中|吗)", tail)
    if tail and not re.match(r"^(的)?(一种|一项|一部分|一类|范围|之列|里面|里|中|内|吗|么|呢)*$", tail):
        return None  # "A是B的多少" asks something else of the two
    if MEMBER_OF.match(mid) and asked:
        return 0, 1
    if HAS_MEMBER.match(mid) and asked:
        return 1, 0
    return None


def split_parts(raw: str) -> list[str]:
    """A question cut at its clause breaks ("法律顾问费一年多少，聘期几年"), empty pieces dropped."""
    return [p for p in (s.strip() for s in PART_SPLIT.split(raw)) if p]


def frame_of(text: str, attribute_words: dict[str, tuple[str, ...]] | None = None) -> Frame:
    """The frame of one (part of a) question."""
    attrs = tuple(a for a, words in (attribute_words or {}).items() if any(w in text for w in words))
    return Frame(rank=rank_of(text), yes_no=bool(YES_NO_TAIL.search(text)) or "是不是" in text or "是否" in text,
                 direction=direction_of(text), per_capita=bool(re.search(r"人均|每人|每个人|平均每个|一人多少", text)),
                 ordinal_item=ordinal_item(text), attributes=attrs,
                 exists=bool(re.search(r"有没有|有无|是否有|是不是有|是不是没有|是否没有|(?<!没)有(?!多少|几)[^，。没]{1,12}(吗|么)$|有.{1,12}没有$", text)))


BODY = re.compile(r"([\u4e00-\u9fff]{2,12}?)(街道办事处|办事处|街道|委员会|管理局|人民政府|政府|大队|支队|中队|服务中心|中心|"
                  r"档案馆|图书馆|纪念馆|博物馆|局|厅|部|委|署|院|省|自治区|市|区|县|镇|乡)")
NOT_BODY_AFTER = {"乡": "社村镇亲", "镇": "村街", "政府": "性采购投债部资基", "部": "门分件署位", "委": "托员", "局": "部面势", "市": "场值", "区": "别分域间", "院": "子校",
                  "省": "钱下掉略", "县": "城", "厅": "堂"}
NOT_BODY_BEFORE = {"区": "社小辖景园城山", "市": "城超都夜股上", "部": "全内外干局俱背头底顶细", "局": "布结格时大全本我该",
                   "厅": "大餐客", "省": "节反", "院": "庭大", "乡": "城家老下", "镇": "城乡重"}
NOT_BODY_HEAD = ("全", "本", "我", "贵", "该", "这", "那", "哪", "各", "内", "外", "下属", "所属", "上级")


def body_mentions(text: str) -> list[tuple[int, int]]:
    """Where the text names a body or place ("财政部", "黄浦区财政局", "万里街道"): spans, words like 委托 or 社区 left out."""
    out = []
    for m in BODY.finditer(text):
        head, suffix = m.group(1), m.group(2)
        after = text[m.end():m.end() + 1]
        if after and after in NOT_BODY_AFTER.get(suffix, "") or head[-1] in NOT_BODY_BEFORE.get(suffix, ""):
            continue
        out.append((m.start(), m.end()))
    return out


def bodies(text: str, known: Callable[[str], bool]) -> list[str]:
    """Names of bodies or places in the text ("财政部", "黄浦区财政局") that `known` does not recognise."""
    out = []
    for start, end in body_mentions(text):
        name = text[start:end]
        suffix = BODY.fullmatch(name).group(2)
        head = name[: -len(suffix)]
        # A tail of the head that is known: "问财政部" → 财政部.
        if any(known(head[k:] + suffix) for k in range(len(head) - 1)) or head in NOT_BODY_HEAD:
            continue
        if not known(name):
            out.append(name)
    return out


def scope_reason(text: str, scope: dict, known_body: Callable[[str], bool] | None) -> str | None:
    """Why the document cannot answer this, in a few words, or None: another body, an opinion, a policy question.

    known_body None: only opinions and procedures (for text where the document's own names are not masked)."""
    for word in scope.get("other_bodies", []) if known_body else ():
        if word in text:
            return f"“{word}”不是本文件的单位，文件里没有它的数据"
    for word in scope.get("regional", []) if known_body else ():
        if word in text:
            return f"“{word}”是整个地区的数字，本文件只有本单位的收支"
    for word in scope.get("opinions", []):
        if word in text:
            return f"“{word}”是评价或看法，文件只列数字和说明，不作评价"
    for word in scope.get("details", []):
        if word in text:
            return f"“{word}”这样的细节预算公开文件不列，文件只有金额和说明"
    for word in scope.get("procedures", []):
        if word in text:
            return f"“{word}”属于预算管理程序或政策，本文件没有写"
    names = bodies(text, known_body) if known_body else []
    if names:
        return f"“{names[0]}”不是本文件的单位，文件里没有它的数据"
    return None
