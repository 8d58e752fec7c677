"""Names a unit goes by, derived from its full name: short names, its region's parts, abbreviation keys.

Neutral ground: the reader indexes these at build time and the engine looks questions up in that index, so both
sides derive names the same way.
"""
from __future__ import annotations

import re

REGION = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}?(?:省|自治区))?(?:[\u4e00-\u9fff]{2,4}?市)?(?:[\u4e00-\u9fff]{1,4}?(?:区|县))?")
GOVERNMENT = ("人民政府", "办事处")


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


# The one-character names of provinces and municipalities ("沪财政局", "京…"): said only right before a unit's name.
PROVINCE_SHORT = {"上海": "沪", "北京": "京", "天津": "津", "重庆": "渝", "山西": "晋", "河北": "冀", "河南": "豫",
                  "山东": "鲁", "江苏": "苏", "浙江": "浙", "广东": "粤", "四川": "川", "湖北": "鄂", "湖南": "湘",
                  "安徽": "皖", "福建": "闽", "江西": "赣", "陕西": "陕", "甘肃": "甘", "辽宁": "辽", "吉林": "吉",
                  "黑龙江": "黑", "内蒙古": "蒙", "广西": "桂", "海南": "琼", "云南": "滇", "贵州": "黔", "西藏": "藏",
                  "青海": "青", "宁夏": "宁", "新疆": "新"}


def province_short(regions) -> set[str]:
    """The one-character names of the provinces among these region names."""
    return {PROVINCE_SHORT[r] for r in regions if r in PROVINCE_SHORT}


def abbreviation_keys(name: str) -> set[tuple[str, str]]:
    """(first, last) character pairs an abbreviation of this name may start and end with (人社局 → 人…局)."""
    if len(name) < 3:
        return set()
    return {(c, name[-1]) for c in name[:len(name) - 2]}


def is_abbreviation(short: str, name: str) -> bool:
    """Whether short reads out of name in order, keeping its first character and its kind of body
    ("人社局" of 人力资源和社会保障局, "规划资源局" of 规划和自然资源局)."""
    if len(short) < 3 or short[-1] != name[-1] or short[0] not in name[:len(name) - 2]:
        return False
    it = iter(name)
    return all(c in it for c in short)
