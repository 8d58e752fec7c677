"""Which loaded document a question is about: units by their names and short names, years, 预算/决算."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .understand import body_mentions

YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:年度?|年)")
REGION = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}?(?:省|自治区))?(?:[\u4e00-\u9fff]{2,4}?市)?(?:[\u4e00-\u9fff]{1,4}?(?:区|县))?")
GOVERNMENT = ("人民政府", "办事处")
LEVELS = (("街道", "街道"), ("镇", "镇"), ("乡", "乡"), ("区", "区"), ("县", "县"), ("市", "市"), ("省", "省"))
# A unit's own words for itself or its place in a question ("本局", "我们单位").
LEAD = "问查看说请给我和与跟及的在是从对把那这年度比较同"
RANKING = re.compile(r"(哪个|哪家|哪一个|哪些)(单位|部门|街道|文件)(?=.*(最|排|第一|前|多|少|高|低))|(各|每个|所有|全部|这些|几个|[两三四五六七八九十]个)(单位|部门|文件)|各文件")
SELF = ("本局", "我局", "贵局", "该局", "全局", "局里", "本单位", "全单位", "单位", "本部门", "本院", "本街道", "我们", "你们")


@dataclass(frozen=True)
class Doc:
    """A loaded document as a question can name it."""

    id: int
    unit: str
    year: int
    stage: str
    names: tuple[str, ...]  # the unit's full name and the shorter names derived from it
    region: str = ""
    regions: tuple[str, ...] = ()  # the region and its parts as people say them (上海, 普陀区)

    @property
    def label(self) -> str:
        """How a reply names it: unit, year and kind."""
        return f"{self.unit}{self.year}年{self.stage}"

    @property
    def short(self) -> str:
        """A brief name for source lines: the unit with only its nearest region (普陀区…), the year and kind."""
        name = self.unit[len(self.region):] if self.region and len(self.unit) - len(self.region) >= 3 else self.unit
        name = name.replace("人民政府", "")
        near = re.findall(r"[^省市区县]{2,4}?(?:省|自治区|市|区|县)", self.region)
        if near and not name.startswith(near[-1]) and name != self.unit:
            name = near[-1] + name
        return f"{name}{self.year}年{self.stage}"


@dataclass
class Resolution:
    """The documents a question names (or may mean), and what it names that is not loaded."""

    ids: list[int]
    named: bool = False  # the question named a unit, a year or 决算 itself
    missing: str = ""  # a unit, year or kind that names no loaded document
    spans: list[tuple[int, int]] = field(default_factory=list)  # where in the text the unit names stand
    years: list[int] = field(default_factory=list)
    units: list[list[int]] = field(default_factory=list)  # per unit named, the documents it fits


def short_names(unit: str) -> set[str]:
    """Names people use for a unit, derived from its full name: without the region, without 人民政府/办事处."""
    names = {unit}
    region = REGION.match(unit).group(0) if REGION.match(unit) else ""
    core = unit[len(region):] if len(unit) - len(region) >= 2 else unit
    for base in {unit, core}:
        names.add(base)
        for words in (GOVERNMENT[:1], GOVERNMENT[1:], GOVERNMENT):  # without 人民政府, without 办事处, without both
            stripped = base
            for word in words:
                stripped = stripped.replace(word, "")
            if len(stripped) >= 2:
                names.add(stripped)
    for n in list(names):
        m = re.fullmatch(r"([\u4e00-\u9fff]{2,3})(街道|镇|乡)(办事处)?", n)
        if m:
            names.add(m.group(1))  # 万里 for 万里街道
            names |= {"街道办", "街道办事处", "街道"} if m.group(2) == "街道" else {m.group(1) + m.group(2) + "政府"}
        if n.endswith("委员会") and len(n) > 4:
            names.add(n[:-2])  # 卫生健康委员会 → 卫生健康委 (and so 卫健委 by abbreviation)
        m = re.fullmatch(r"([\u4e00-\u9fff]{2,4})和[\u4e00-\u9fff]{2,6}(局|委|厅)", n)
        if m:
            names.add(m.group(1) + m.group(2))  # 规划局 for 规划和自然资源局
    if region:
        last = re.search(r"[^省市区县]{1,4}?(?:区|县|市)$", region)
        if last:
            names |= {last.group(0) + n for n in list(names) if not n.startswith(region)}
    return {n for n in names if len(n) >= 2}


def region_names(region: str) -> set[str]:
    """A region and its parts as people say them: 上海市普陀区 → 上海市, 上海, 普陀区, 普陀."""
    out = set()
    for part in re.findall(r"[^省市区县]{2,4}?(?:省|自治区|市|区|县)", region):
        out |= {part, part[:-1]} if len(part) >= 3 else {part}
    return {n for n in out if len(n) >= 2}


def load_docs(rows: list[dict]) -> list[Doc]:
    """The documents table as Docs."""
    out = []
    for r in rows:
        region = r.get("region") or (REGION.match(r["unit"]).group(0) if REGION.match(r["unit"]) else "")
        out.append(Doc(r["id"], r["unit"], int(r["year"]), r.get("stage") or "预算",
                       tuple(sorted(short_names(r["unit"]), key=len, reverse=True)), region,
                       tuple(sorted(region_names(region)))))
    return out


def _subsequence(short: str, name: str) -> bool:
    """Whether short can be read out of name in order ("人社局" in 人力资源和社会保障局, "规划资源局" in 规划和自然资源局)."""
    it = iter(name)
    return all(c in it for c in short)


def fits(mention: str, doc: Doc, encode=None) -> bool:
    """Whether a body named in a question is this document's unit (or its region); by sound too with encode."""
    if encode is not None:
        sound = Doc(doc.id, encode(doc.unit), doc.year, doc.stage, tuple(encode(n) for n in doc.names),
                    encode(doc.region))
        return fits(mention, doc) or fits(encode(mention), sound)
    if any(mention == n or n.endswith(mention) and len(mention) >= 3 for n in doc.names):
        return True
    if doc.region and (mention == doc.region or len(mention) >= 2 and (doc.region.endswith(mention)
                                                                        or doc.region.startswith(mention))):
        return True
    # An abbreviation keeps the first character and the kind of body: 人社局, 规划资源局, 福利院.
    for n in doc.names:
        if len(mention) >= 3 and mention[-1] == n[-1] and mention[0] in n[:len(n) - 2] and _subsequence(mention, n):
            return True
    return False


@dataclass(frozen=True)
class _NameTable:
    names: tuple[tuple[str, tuple[int, ...]], ...]  # every name, longest first, with the documents it names
    sounds: tuple[str, ...]
    regions: frozenset[str]


_TABLES: dict[tuple, _NameTable] = {}


def _names(docs: tuple[Doc, ...], encode) -> _NameTable:
    """The names of a set of documents, built once per set (questions are answered many times over one set)."""
    key = (docs, encode is None)
    table = _TABLES.get(key)
    if table is None:
        by_name: dict[str, list[int]] = {}
        for d in docs:
            for n in (*d.names, *d.regions):
                by_name.setdefault(n, []).append(d.id)
        names = tuple((n, tuple(ids)) for n, ids in sorted(by_name.items(), key=lambda p: -len(p[0])))
        sounds = tuple(encode(n) if encode else n for n, _ in names)
        regions = frozenset(n for d in docs for n in d.regions) - {n for d in docs for n in d.names}
        table = _TABLES[key] = _NameTable(names, sounds, regions)
    return table


GOVERNMENT_BODY = re.compile(r"[\u4e00-\u9fff]{2,4}?(?:省|市|区|县)(?:人民)?政府(?!采购|性|购买|预算|投资|债|部门)")
PLACE_BEFORE = re.compile(r"([\u4e00-\u9fff]{2,4}?(?:省|自治区|市|区|县))$")


def _stands_alone(text: str, at: int, name: str, docs: list[Doc]) -> bool:
    """Whether a document's name found in the text names that document, not a longer, other body."""
    before = text[:at]
    if before and "\u4e00" <= before[-1] <= "\u9fff" and before[-1] not in LEAD:
        place = PLACE_BEFORE.search(before)
        if not place:
            return False  # "第二社会福利院"
        # A place before the name must be the document's own (its district, or its whole region).
        return any(d.region.endswith(place.group(1)) or place.group(1) in d.region and name.startswith(d.region)
                   for d in docs)
    return True


def resolve(text: str, docs: list[Doc], current: int | None, is_phrase, encode=None) -> Resolution:
    """The documents a (normalised) question is about.

    current is the conversation's document; is_phrase(text) tells a name from the document's own vocabulary
    (a 科室, a project) that is not a unit."""
    units: list[list[int]] = []
    spans: list[tuple[int, int]] = []
    missing = ""
    masked = text
    for m in GOVERNMENT_BODY.finditer(text):
        if not any(d.unit.endswith(m.group(0)) for d in docs):
            missing = missing or m.group(0)  # "普陀区政府" is not any loaded unit, whatever its region
    # Names the documents go by, longest first ("上海市普陀区规划和自然资源局" before "上海市").
    table = _names(tuple(docs), encode)
    regions = table.regions
    for name, ids in table.names:
        at = masked.find(name)
        while at >= 0:
            if name not in regions and not _stands_alone(text, at, name, [d for d in docs if d.id in ids]):
                at = masked.find(name, at + 1)  # "第二社会福利院", "上海市规划和自然资源局": another body
                continue
            units.append(list(ids))
            if name not in regions:  # a place stays in the question ("忻州人口有多少" is not about the budget)
                spans.append((at, at + len(name)))
            masked = masked[:at] + "\x00" * len(name) + masked[at + len(name):]
            at = masked.find(name)
    if encode is not None:
        # The same names by sound ("万里街到", "福力院"): the encoding keeps one code per character.
        sounds = encode(masked)
        for (name, ids), sound in zip(table.names, table.sounds):
            if len(name) < 3:
                continue
            at = sounds.find(sound)
            if at >= 0 and "\x00" not in masked[at:at + len(name)] \
                    and _stands_alone(text, at, name, [d for d in docs if d.id in ids]):
                units.append(list(ids))
                spans.append((at, at + len(name)))
                masked = masked[:at] + "\x00" * len(name) + masked[at + len(name):]
                sounds = encode(masked)
    for start, end in body_mentions(masked):
        mention = masked[start:end]
        # The longest tail that fits a document, dropping only words before a name: "问万里街道" → 万里街道
        # (never part of a name: "丙丁福利院" is not "丁…福利院").
        hit = None
        lead = len(mention) - len(mention.lstrip(LEAD))
        for k in range(min(lead, len(mention) - 2) + 1):
            tail = mention[k:]
            ids = [d.id for d in docs if fits(tail, d, encode)]
            if ids and not _stands_alone(text, start + k, tail, [d for d in docs if d.id in ids]):
                ids = []
            if ids:
                hit = (ids, start + k)
                break
        if hit:
            units.append(hit[0])
            spans.append((hit[1], end))
        elif not missing and not is_phrase(mention) and not mention.endswith(SELF):
            missing = mention
    compared = {int(y) for y in re.findall(r"(?:比|较|与|同|对比|相比)((?:19|20)\d\d)年?", text)}
    years = [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?=年|预算|决算|\D|$)", text) if int(y) not in compared]
    if compared and not years:
        years = [y + 1 for y in compared]  # "比2022年多了多少": the document of the year after
    final = "决算" in text and not re.search(r"决算(表|数)?[^，]{0,4}(吗|没有|有没有)", text)
    ids = [d.id for d in docs]
    by_id = {d.id: d for d in docs}
    if units:
        ids = sorted({i for group in units for i in group})
    elif RANKING.search(text):
        units = [ids]  # "哪个单位三公经费最多": every loaded document
    elif current is not None:
        here = by_id[current]
        if not years or here.year in years or here.year - 1 in years and len(years) == 1:
            ids = [current]  # a year the document covers (its own, or the year before it compares with)
        else:
            # "2024年三公经费" in a chat about one unit: that unit's document of that year.
            same = [d.id for d in docs if d.unit == here.unit and d.year in years]
            ids = same or [d.id for d in docs if d.year in years]
    if years and (units or len(ids) > 1):
        exact = {by_id[i].year for i in ids} & set(years)
        for y in years:
            # "2024年…比2023年" within one document: the year before its own is the one it compares with.
            if y not in exact and not (y + 1 in exact and len(set(years)) >= 2):
                missing = missing or (f"{by_id[ids[0]].unit}{y}年" if units and len(units) == 1 and ids else f"{y}年")
        ids = [i for i in ids if by_id[i].year in years] or ids
    if not ids:
        missing = missing or f"{'、'.join(str(y) for y in years)}年"
    if final and ids:
        finals = [i for i in ids if next(d for d in docs if d.id == i).stage == "决算"]
        if finals:
            ids = finals
    return Resolution(ids, bool(units or years or final), missing, spans, years, units)
