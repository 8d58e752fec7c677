"""Per-character traditional→simplified and pinyin, computed at build time so answering loads no dictionary."""
from __future__ import annotations

import importlib.util
from functools import lru_cache
import unicodedata
from pathlib import Path


def _toneless(reading: str) -> str:
    base = unicodedata.normalize("NFKD", reading.split(",")[0])
    return "".join(c for c in base if not unicodedata.combining(c)).replace("ü", "v")


def _pinyin_dict() -> dict[int, str]:
    # pypinyin's package import loads its phrase dictionaries (0.5 s); the per-character table is one data module.
    spec = importlib.util.find_spec("pypinyin")
    path = Path(spec.origin).with_name("pinyin_dict.py")
    mod_spec = importlib.util.spec_from_file_location("_budgetbot_pinyin_dict", path)
    module = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(module)
    return module.pinyin_dict


@lru_cache(maxsize=1)
def build_charmap() -> list[tuple[str, str, str]]:
    """Rows (char, simplified, pinyin) for every CJK character either dictionary knows."""
    from zhconv.zhconv import getdict

    pinyin_dict = _pinyin_dict()
    simp = {k: v for k, v in getdict("zh-hans").items() if len(k) == 1 and len(v) == 1}
    rows = {}
    for code, reading in pinyin_dict.items():
        ch = chr(code)
        if "\u3400" <= ch <= "\u9fff":
            rows[ch] = (ch, simp.get(ch, ch), _toneless(reading))
    for ch, s in simp.items():
        if ch not in rows:
            rows[ch] = (ch, s, rows[s][2] if s in rows else "")
    return list(rows.values())
