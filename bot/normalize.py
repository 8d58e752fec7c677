"""Question normalisation: NFKC, traditional → simplified, fillers out, Chinese year numerals to digits."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 200  # questions are short; anything longer is cut before any work is done

FILLERS = (
    "请问一下", "请问", "请教", "麻烦你", "麻烦", "帮我查查", "帮我查一下", "帮我查", "帮忙查", "查一下", "查查", "我想知道",
    "我想问问", "我想问", "想问一下", "想问", "想了解", "了解一下", "问一下", "问下", "告诉我", "能告诉我", "可以告诉我",
    "你好", "您好", "谢谢你", "谢谢", "多谢", "感谢", "一下", "下子", "到底", "究竟", "具体", "大概", "大约",
)
TAIL_PARTICLES = "呢呀啊吗嘛吧哈哦噢啦哇咧"
PUNCT = re.compile(r"[\s\u3000？?！!。．.，,、；;：:“”\"‘’'《》〈〉「」『』【】\[\]（）()~～…—\-_/\\|@#$%^&*+=<>`·]+")
CN_DIGITS = {"〇": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
             "六": "6", "七": "7", "八": "8", "九": "9"}
CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{2,4})年")
CN_SPOKEN_YEAR = re.compile(r"([一二两]千零?[零〇一二三四五六七八九十]{1,3})年")  # 两千零二十三年 → 2023年
SHORT_YEAR = re.compile(r"(?<![\d.])(1[5-9]|2\d)年(?!内|以|期|左右|后|前|来)")  # "23年" → 2023年 (not "12年内")
CN_CODE = re.compile(r"[〇零一二三四五六七八九]{3,}")  # 科目编码 read out digit by digit: 二〇八〇一〇一
# C0/C1 controls (terminal escapes), zero-width and bidi marks, embeddings/overrides (U+202A–202E), isolates
# (U+2066–2069) and the other invisible format characters: they change how text is shown, never what it asks.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def strip_controls(text: str, keep: str = "\n") -> str:
    """The text without CONTROL characters, except those in `keep` (safe to print on a terminal)."""
    return CONTROL.sub(lambda m: m.group(0) if m.group(0) in keep else "", text)


@dataclass(frozen=True)
class Normalized:
    """A question made comparable: the cleaned text and the raw (NFKC, simplified) text it came from."""

    text: str
    raw: str


def to_simplified(text: str, simplify: dict[str, str]) -> str:
    """Traditional characters to simplified, one character at a time."""
    return "".join(simplify.get(c, c) for c in text)


CN_NUMBER = "零〇一二两三四五六七八九十百千"
CN_AMOUNT = re.compile(rf"(百分之)?([{CN_NUMBER}]+)(?:点([{CN_NUMBER[:11]}]+))?(?(1)|(万元|万|亿元|亿|元|块))")
CN_VALUE = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def cn_integer(text: str) -> int | None:
    """A Chinese integer below ten thousand ("一千零三十六" → 1036, "二十一" → 21), or None."""
    total, digit = 0, None
    for ch in text:
        if ch in CN_VALUE:
            digit = CN_VALUE[ch]
        elif ch in "十百千":
            total += (1 if digit is None else digit) * {"十": 10, "百": 100, "千": 1000}[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def _cn_amount(m: re.Match) -> str:
    whole = cn_integer(m.group(2))
    if whole is None:
        return m.group(0)
    frac = "".join(str(CN_VALUE[c]) for c in m.group(3)) if m.group(3) else ""
    number = f"{whole}.{frac}" if frac else str(whole)
    return f"{number}%" if m.group(1) else number + (m.group(4) or "")


def _year(digits: str) -> str:
    """A year written with two digits in words ("二三年") is this century's."""
    return "20" + digits if len(digits) == 2 else digits


def normalize(question: str, simplify: dict[str, str], drop: tuple[str, ...] = ()) -> Normalized:
    """The question made comparable (see _normalize); remembered for the same question and words."""
    key = (question, id(simplify), drop)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.clear()
        found = _CACHE[key] = _normalize(question, simplify, drop)
    return found


CACHE_SIZE = 1 << 14
_CACHE: dict[tuple, Normalized] = {}


def _normalize(question: str, simplify: dict[str, str], drop: tuple[str, ...] = ()) -> Normalized:
    """The question cut to MAX_CHARS, NFKC, simplified, lower-case, fillers, punctuation and `drop` words removed."""
    raw = CONTROL.sub(" ", question[: MAX_CHARS * 2])
    raw = unicodedata.normalize("NFKC", raw)[:MAX_CHARS].lower()
    raw = to_simplified(raw, simplify)
    raw = CN_SPOKEN_YEAR.sub(lambda m: f"{cn_integer(m.group(1).replace('〇', '零'))}年"
                             if 1900 <= (cn_integer(m.group(1).replace('〇', '零')) or 0) <= 2100 else m.group(0), raw)
    raw = CN_YEAR.sub(lambda m: _year("".join(CN_DIGITS[c] for c in m.group(1))) + "年", raw)
    raw = SHORT_YEAR.sub(lambda m: "20" + m.group(1) + "年", raw)
    raw = CN_AMOUNT.sub(_cn_amount, raw)  # "百分之二十一点五一" → 21.51%, "六万" → 6万
    raw = CN_CODE.sub(lambda m: "".join(CN_DIGITS[c] for c in m.group(0)), raw)
    text = PUNCT.sub("", raw)
    for word in FILLERS + drop:
        text = text.replace(word, "")
    text = text.rstrip(TAIL_PARTICLES)
    return Normalized(text, raw)


def label_key(label: str) -> str:
    """A printed name as a normalised question spells it: NFKC, lower case, no punctuation (for lookups)."""
    return PUNCT.sub("", unicodedata.normalize("NFKC", label)).lower()
