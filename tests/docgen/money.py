"""Number formatting as the disclosures print it, and the 万元/元 alternatives the questions accept."""
from __future__ import annotations


def wan(yuan: int) -> float:
    """元 to 万元, two decimals."""
    return round(yuan / 10000 + 1e-9, 2)


def yuan_text(yuan: int, zero: str = "0") -> str:
    """An 元 amount with thousands separators ('156,211,123'); zero printed as `zero`."""
    return f"{yuan:,}" if yuan else zero


def wan_text(yuan: int, zero: str = "0.00", comma: bool = False, trim: bool = False) -> str:
    """An amount in 万元 with two decimals ('9746.50'); trim drops trailing zeros ('25', '21.56')."""
    if not yuan:
        return zero
    text = f"{wan(yuan):,.2f}" if comma else f"{wan(yuan):.2f}"
    if trim:
        text = text.rstrip("0").rstrip(".")
    return text


def pct(part: float, whole: float) -> float:
    """part/whole in percent, two decimals."""
    return round(part / whole * 100 + 1e-9, 2) if whole else 0.0


def change_word(delta: float) -> str:
    """增加 / 减少 / 持平 for a signed change."""
    return "增加" if delta > 0 else "减少" if delta < 0 else "持平"


def alternatives(yuan: int, money: str) -> list[float | int]:
    """The numbers an answer may give for an amount: 万元 with two decimals, and 元 when tables print 元."""
    return [wan(yuan), yuan] if money == "元" else [wan(yuan)]
