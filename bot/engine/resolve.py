"""Which loaded documents a question is about: the units it names (by name, sound or abbreviation), its years,
预算/决算 — or the chat's document when it names none."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ..names import province_short
from ..understand import body_mentions
from .library import Doc, Library

# A unit's own words for itself or its place in a question ("本局", "我们单位").
# Characters that may stand right before a unit's name without being part of a longer one: particles,
# pronouns, verbs of asking and comparing ("咱人社局", "关心咱们人社局", "物业费占福利院", "沪财政局").
LEAD = "问查看说请给我和与跟及的在是从对把那这年度比较同今去明前后咱们你他她它占向为替关心知道了呢吗啊呀吧"
RANKING = re.compile(r"(哪个|哪家|哪一个|哪些|哪几个|哪几家)(单位|部门|街道|文件)(?=.*(最|排|第一|前|多|少|高|低|没有|为零|为0))|"
                     r"(最|更)(多|少|高|低|大|小)的?(是|为)?(哪个|哪家|哪一个)(单位|部门)|哪家(最|更)(多|少|高|低|大|小)|"
                     r"(哪个|哪家|哪几个|哪几家|哪些)(单位|部门)?(没有|没安排|未安排)|"
                     r"(各|每个|所有|全部|这些|几个|[两三四五六七八九十]个)(单位|部门|文件)|各文件|"
                     r"(几|各|每一?)家[^，。？]{0,4}?(单位|部门)(?=.*(最|排|谁|哪|第一|前))|谁的[^，。？]{1,12}?(最|更)(多|少|高|低|大|小)")
SELF = ("本局", "我局", "贵局", "该局", "全局", "局里", "本单位", "全单位", "单位", "本部门", "本院", "本街道", "我们", "你们")
GOVERNMENT_BODY = re.compile(r"[\u4e00-\u9fff]{2,4}?(?:省|市|区|县)(?:人民)?政府(?!采购|性|购买|预算|投资|债|部门)")
# Names of places projects are also named after ("社区公共服务中心"): they find a loaded unit, never a missing one.
WEAK_BODIES = ("中心", "档案馆", "图书馆", "纪念馆", "博物馆")
QUOTED = re.compile(r"“[^”]{1,40}”|「[^」]{1,40}」|\"[^\"]{1,40}\"")
PLACE_BEFORE = re.compile(r"([\u4e00-\u9fff]{2,4}?(?:省|自治区|市|区|县))$")
YEAR_NAMED = re.compile(r"(?<!\d)((?:19|20)\d\d)(?=年|预算|决算|\D|$)")
SEVERAL_YEARS = re.compile(r"两年|几年|历年|各年|每年|和去年|与去年|跟去年")
SIDE_BY_SIDE = re.compile(r"分别|各是|各自|对比|比较|相比")  # several years only when one unit is named
COMPARED = re.compile(r"(?:比|较|与|同|对比|相比)((?:19|20)\d\d)年?")


@dataclass
class Resolution:
    """The documents a question names (or may mean), and what it names that is not loaded."""

    ids: list[int]
    named: bool = False  # the question named a unit, a year or 决算 itself
    missing: str = ""  # a unit, year or kind that names no loaded document
    spans: list[tuple[int, int]] = field(default_factory=list)  # where in the text the unit names stand
    years: list[int] = field(default_factory=list)
    units: list[list[int]] = field(default_factory=list)  # per unit named, the documents it fits
    ranking: bool = False  # "哪个单位…最多": every loaded document
    compared_years: list[int] = field(default_factory=list)
    others: list[int] = field(default_factory=list)  # the same unit's other documents, when none was named
    prior: str = ""  # "规划局2023年…" answered by the 2024 document's figures for the year before: what was named
    region_only: bool = False  # a place named and no unit in it ("望川区…"): the place's own figures are not loaded


def _stands_alone(text: str, at: int, name: str, docs: list[Doc], encode=None) -> bool:
    """Whether a name found in the text names that document, not a longer, other body ("第二社会福利院")."""
    before = text[:at]
    if before and "\u4e00" <= before[-1] <= "\u9fff" and before[-1] not in LEAD:
        if any(before.endswith(r) for d in docs for r in (*d.regions, *province_short(d.regions))):
            return True  # "普陀规划资源局", "上海财政局", "沪财政局": the document's own place before its name
        if encode is not None and any(encode(before).endswith(encode(r)) for d in docs for r in d.regions
                                      if len(r) >= 2):
            return True  # "心州人社局": the place said by sound
        place = PLACE_BEFORE.search(before)
        if not place:
            return False
        return any(d.region.endswith(place.group(1)) or place.group(1) in d.region and name.startswith(d.region)
                   for d in docs)
    return True


def resolve(text: str, library: Library, current: int | None, is_phrase: Callable[[str], bool],
            encode: Callable[[str], str] | None = None) -> Resolution:
    """The documents a (normalised) question is about.

    current is the conversation's document; is_phrase(text) tells a name from the document's own vocabulary
    (a 科室, a project) that is not a unit."""
    units: list[list[int]] = []
    regions: list[list[int]] = []
    spans: list[tuple[int, int]] = []
    missing = ""
    masked = text
    for m in GOVERNMENT_BODY.finditer(text):
        if not any(m.group(0) in n for n, _, _ in library.names_in(m.group(0))):
            missing = missing or m.group(0)  # "普陀区政府" is not any loaded unit, whatever its region
    places: list[tuple[int, int]] = []
    for q in QUOTED.finditer(text):  # “图书馆” quotes a printed row's name, not a unit
        masked = masked[:q.start()] + "\x00" * (q.end() - q.start()) + masked[q.end():]
    masked = _by_name(text, masked, library, units, spans, regions, places)
    if encode is not None:
        masked = _by_sound(text, masked, library, encode, units, spans)
    masked, missing = _by_mention(text, masked, library, units, spans, missing, is_phrase, encode)
    if units:  # in the order the question names them (units[i] was found at spans[i])
        spans, units = (list(t) for t in zip(*sorted(zip(spans, units), key=lambda p: p[0])))
        # A place said right before a unit is part of its name ("忻州人社局"): out of the question with it.
        spans += [p for p in places if any(p[1] in (s, s - 1) and text[p[1]:s] in ("", "的") for s, _ in spans)]
    compared = [int(y) for y in COMPARED.findall(text)]
    years = [int(y) for y in YEAR_NAMED.findall(text) if int(y) not in compared]
    if compared and not years:
        years = [y + 1 for y in compared]  # "比2022年多了多少": the document of the year after
    final = "决算" in text and not re.search(r"决算(表|数)?[^，]{0,4}(吗|没有|有没有)", text)
    ranking = bool(RANKING.search(text)) and not units
    ids = _named(units, regions)
    prior = ""
    if not ids and not ranking:
        ids = _current(library, current, years, compared) if current is not None else [library.default_id]
    elif years and ids:
        ids, missing, prior = _by_year(library, ids, years, units, missing)
    if compared and ids and not missing and "执行" not in text:  # 执行数 is printed in the later document itself
        # "万里街道2024年人员经费比2023年多多少": the unit's 2023 document is loaded too, so both are compared.
        same = {library.get(i).unit for i in ids}
        earlier = [d.id for u in same for d in library.same_unit(next(library.get(i) for i in ids
                                                                         if library.get(i).unit == u))
                   if d.year in compared and d.id not in ids]
        if earlier:
            ids, years = sorted(set(ids) | set(earlier)), sorted(set(years) | set(compared))
    if not ids and not ranking:
        missing = missing or f"{'、'.join(str(y) for y in years)}年"
    if final and ids:
        # Each unit's 决算 where it has one ("规划局三公决算和人社局三公预算": the other unit keeps its 预算).
        finals = {library.get(i).unit for i in ids if library.get(i).stage == "决算"}
        ids = [i for i in ids if library.get(i).stage == "决算" or library.get(i).unit not in finals]
    elif "预算" in text and len(ids) > 1:
        # "2024年北岭体育局收入预算": of a unit's 预算 and 决算 of one year, the 预算 (决算 questions say 决算).
        budgets = [i for i in ids if library.get(i).stage == "预算"]
        if budgets and len({library.get(i).unit for i in budgets}) == len({library.get(i).unit for i in ids}):
            ids = budgets
    others: list[int] = []
    one_unit = len({library.get(i).unit for i in ids}) == 1
    if len(ids) > 1 and not years and not SEVERAL_YEARS.search(text) and not (one_unit and SIDE_BY_SIDE.search(text)):
        # A unit with several years loaded, none named: its latest; the others are offered as buttons.
        ids, others = latest_per_unit([library.get(i) for i in ids])
    region_only = bool(regions) and not units
    units = units or regions
    return Resolution(ids, bool(units or years or final or ranking), missing, spans, years, units, ranking, compared,
                      others, prior, region_only)


def latest_per_unit(docs: list) -> tuple[list[int], list[int]]:
    """Each unit's latest document (a 预算 before a 决算 of the same year), and the rest, in the given order."""
    newest: dict[str, object] = {}
    for d in docs:
        kept = newest.get(d.unit)
        if kept is None or (d.year, d.stage == "预算") > (kept.year, kept.stage == "预算"):
            newest[d.unit] = d
    keep = {d.id for d in newest.values()}
    return [d.id for d in docs if d.id in keep], [d.id for d in docs if d.id not in keep]


def _named(units: list[list[int]], regions: list[list[int]]) -> list[int]:
    """The documents the units named stand for, narrowed by the places named; places alone stand for theirs."""
    if units:
        # Each unit named is narrowed by the places that fit it ("忻州人社局和上海市财政局": 忻州 narrows only 人社局).
        ids: set[int] = set()
        for group in units:
            mine = set(group)
            for place in regions:
                mine = (mine & set(place)) or mine
            ids |= mine
        return sorted(ids)
    if regions:
        ids = set(regions[0])
        for group in regions[1:]:
            ids &= set(group)
        return sorted(ids)
    return []


def _by_name(text: str, masked: str, library: Library, units: list, spans: list, regions: list,
             places: list) -> str:
    """Names the documents go by, longest first ("上海市普陀区规划和自然资源局" before "上海市")."""
    for name, ids, region in library.names_in(text):
        at = masked.find(name)
        while at >= 0:
            docs = [library.get(i) for i in ids[:20]]
            if not region and not _stands_alone(text, at, name, docs):
                at = masked.find(name, at + 1)
                continue
            if region:  # a place stays in the question ("忻州人口有多少" is not about the budget)
                regions.append(list(ids))
                places.append((at, at + len(name)))
            else:
                units.append(list(ids))
                spans.append((at, at + len(name)))
            masked = masked[:at] + "\x00" * len(name) + masked[at + len(name):]
            at = masked.find(name)
    return masked


def _by_sound(text: str, masked: str, library: Library, encode, units: list, spans: list) -> str:
    """The same names by sound ("万里街到", "福力院"): one code per character keeps positions."""
    sounds = encode(masked)
    for sound, ids, region in library.sounds_in(sounds):
        at = sounds.find(sound)
        if at < 0 or "\x00" in masked[at:at + len(sound)] or region:
            continue
        docs = [library.get(i) for i in ids[:20]]
        if _stands_alone(text, at, text[at:at + len(sound)], docs):
            units.append(list(ids))
            spans.append((at, at + len(sound)))
            masked = masked[:at] + "\x00" * len(sound) + masked[at + len(sound):]
            sounds = encode(masked)
    return masked


def _by_mention(text: str, masked: str, library: Library, units: list, spans: list, missing: str, is_phrase,
                encode) -> tuple[str, str]:
    """A body the question names that is not a loaded name: an abbreviation of one ("人社局"), or not loaded."""
    for start, end in body_mentions(masked):
        mention = masked[start:end]
        hit = None
        for k in range(0, max(1, len(mention) - 2)):
            tail = mention[k:]
            ids = library.abbreviated(tail, encode)
            if ids and _stands_alone(text, start + k, tail, [library.get(i) for i in ids[:20]], encode):
                hit = (ids, start + k)
                break
        if hit:
            units.append(hit[0])
            spans.append((hit[1], end))
            masked = masked[:hit[1]] + "\x00" * (end - hit[1]) + masked[end:]
        elif not missing and not is_phrase(mention) and not mention.endswith(SELF + WEAK_BODIES):
            cut = max((mention.rfind(c) for c in LEAD), default=-1)
            missing = mention[cut + 1:] if 0 <= cut < len(mention) - 2 else mention  # "三公是人社厅" → 人社厅
    return masked, missing


def _current(library: Library, current: int, years: list[int], compared: list[int]) -> list[int]:
    """A question naming no unit: the chat's document, or that unit's document of the year it names."""
    here = library.get(current)
    if here is None:
        return [library.default_id]
    if not years or here.year in years or here.year - 1 in years and len(years) == 1:
        return [current]
    same = [d.id for d in library.same_unit(here) if d.year in years]
    return same  # another unit's document of that year is never the answer ("2025年三公经费" in a chat about X)


def _by_year(library: Library, ids: list[int], years: list[int], units: list,
             missing: str) -> tuple[list[int], str, str]:
    """The named documents of the years asked: per unit named, its documents of those years (or of the year after,
    which prints the year before); a unit with none of them keeps its own, unless it was the only one named."""
    groups = [g for g in units if set(g) & set(ids)] or [ids]
    kept: list[int] = []
    prior = ""
    for group in groups:
        docs = [library.get(i) for i in group if i in ids]
        held = {d.year for d in docs}
        wanted = {y for y in years if y in held} | {y + 1 for y in years if y not in held and y + 1 in held}
        prior = prior or next((f"{docs[0].unit}{y}年" for y in years if y not in held and y + 1 in held), "")
        if wanted:
            kept += [d.id for d in docs if d.year in wanted]
        elif len(groups) == 1:
            y = years[0]
            missing = missing or (f"{docs[0].unit}{y}年" if units and docs else f"{y}年")
        else:
            kept += [d.id for d in docs]
    return sorted(set(kept)) or ids, missing, prior
