"""Per-item prose: each 功能科目 the 编制说明 or the 决算情况说明 describes, with its figures and reason.

Both templates write one paragraph per item: “A（类）B（款）C（项）” (or “A”科目), its amount, what it is used
for, last year's or the budget's figure, the change or 完成率, and 主要原因. The paragraph is read by its words,
not its position, so the order of the clauses does not matter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .amounts import clean

NAME = r"([^“”（）()\s。，；：,;:、\d]{2,30}?)"
PATH = re.compile(rf"“?{NAME}[（(]类[）)](?:{NAME}[（(]款[）)])?(?:{NAME}[（(]项[）)])?”?")
SUBJECT = re.compile(r"“([^“”]{2,30}?)”科目")
NUM = r"(-?\d[\d,]*(?:\.\d+)?)\s*"
AMOUNT_AFTER = re.compile(rf"^[”）)\s。.]*(?:主要用于[^。]*。)?{NUM}万元|^[”）)\s]*{NUM}万元")
FIELDS = {
    "last_year": re.compile(rf"(?:\d{{4}}年)?(?:当年)?预算执行数为{NUM}万元|上年(?:预算|决算)?(?:数)?为{NUM}万元"),
    "budget": re.compile(rf"年初预算(?:数)?为{NUM}万元|调整预算(?:数)?为{NUM}万元"),
    "final": re.compile(rf"(?:支出)?决算(?:数)?为{NUM}万元"),
    "planned": re.compile(rf"\d{{4}}年预算安排{NUM}万元"),
    "rate": re.compile(rf"完成(?:年初)?预算(?:数)?的{NUM}%"),
    "change": re.compile(rf"(?:增加|减少|增长|下降)(?:了)?{NUM}万元"),
    "change_pct": re.compile(rf"(?:增加|减少|增长|下降)(?:了)?{NUM}\s*%"),
}
DIRECTION = re.compile(r"(增加|减少|增长|下降|持平|大于|小于|等于|同预算数持平|保持不变)")
USES = re.compile(r"主要用于[：:]?([^。]+)")
REASON = re.compile(r"(?:主要)?原因(?:是|为)?[：:]?(.+)$")


@dataclass
class Item:
    """One item the prose describes."""

    seq: int
    kind: str  # 预算 | 决算
    class_name: str
    kuan: str
    xiang: str
    amount: Decimal | None
    last_year: Decimal | None
    budget: Decimal | None
    final: Decimal | None
    rate: Decimal | None
    change: Decimal | None
    change_pct: Decimal | None
    direction: str
    uses: str
    reason: str
    text: str
    page: int | None
    line: int
    planned: Decimal | None = None  # the 编制说明's "2023年预算安排X万元" (may differ from the item's own figure)

    @property
    def name(self) -> str:
        """The most specific name given (项, else 款, else 类)."""
        return self.xiang or self.kuan or self.class_name


def _num(m: re.Match | None) -> Decimal | None:
    if m is None:
        return None
    raw = next((g for g in m.groups() if g), None)
    return Decimal(raw.replace(",", "")) if raw else None


def read_items(sections, stage: str) -> list[Item]:
    """Every paragraph that names an item by its 类/款/项 path (or “X”科目) and gives figures for it."""
    out: list[Item] = []
    for sec in sections:
        # The section as one text: an item runs from its 类/款/项 path to the next item's, across line and
        # paragraph breaks, but not into a numbered paragraph that names no item (the next topic).
        paras = _joined(sec.lines)
        flat, starts = "", []
        for para, text in paras:
            starts.append(len(flat))
            flat += text
        stops = [at for at, (_, text) in zip(starts, paras)
                 if ENUMERATED.match(text) and not (PATH.search(text) or SUBJECT.search(text))]
        found = list(PATH.finditer(flat)) or list(SUBJECT.finditer(flat))
        for k, m in enumerate(found):
            end = found[k + 1].start() if k + 1 < len(found) else len(flat)
            end = min([end] + [at for at in stops if at > m.start()])
            if re.search(r"万元|%", flat[m.end():end]):
                para = paras[max(i for i, at in enumerate(starts) if at <= m.start())][0]
                out.append(_item(len(out) + 1, m, flat[:end], stage, para))
    return [i for i in out if any(v is not None for v in (i.amount, i.budget, i.final, i.last_year, i.planned))]


NEXT_NUMBER = re.compile(r"\s*(?:\d+[.、．]|[（(]\d+[）)]|[一二三四五六七八九十]+[、.．])\s*$")
ENUMERATED = re.compile(r"^\s*(?:\d+[.、．]|[（(]\d+[）)]|[一二三四五六七八九十]+[、.．])")


def _joined(paras) -> list[tuple[object, str]]:
    """Paragraphs with an item's heading ("12、住房保障支出（类）…（项）。") joined to the figures after it."""
    out: list[tuple[object, str]] = []
    pending = None
    for para in paras:
        text = clean(para.text)
        if pending is not None:
            out.append((pending[0], pending[1] + text))
            pending = None
            continue
        if PATH.search(text) and not re.search(r"万元|%", text):
            pending = (para, text)
            continue
        out.append((para, text))
    if pending is not None:
        out.append(pending)
    return out


def _item(seq: int, m: re.Match, text: str, stage: str, para) -> Item:
    names = (m.group(1), m.group(2) or "", m.group(3) or "") if m.re is PATH else (m.group(1), "", "")
    text = NEXT_NUMBER.sub("", text)  # the next item's "2." before its path belongs to it
    rest = text[m.end():]
    fields = {k: _num(p.search(rest)) for k, p in FIELDS.items()}
    amount = _num(AMOUNT_AFTER.search(rest)) or fields["planned"]
    if stage == "决算" and amount is None:
        amount = fields["final"]
    d = DIRECTION.findall(rest.split("原因")[0])
    direction = next((w for w in d if w not in ("保持不变",)), d[0] if d else "")
    direction = {"增长": "增加", "下降": "减少", "大于": "增加", "小于": "减少", "同预算数持平": "持平",
                 "等于": "持平"}.get(direction, direction)
    uses = USES.search(rest)
    reason = REASON.search(rest)
    page, line = para.where(0) if hasattr(para, "where") else (para.page, para.no)
    item = Item(seq, stage, *names, amount, fields["last_year"], fields["budget"], fields["final"], fields["rate"],
                fields["change"], fields["change_pct"], direction, uses.group(1) if uses else "",
                reason.group(1).strip("。 ") if reason else "", text[m.start():], page, line, fields["planned"])
    return item
