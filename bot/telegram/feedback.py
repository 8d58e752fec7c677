"""A message that disputes a figure ("不对，办公费应该是581.18万元"): feedback on the last answer, not a question.

It is read here, in the shell, like a 👎 with a reason: what is disputed (named, or the chat's last subject) and the
figure the user says is right. The engine is then asked for the disputed item as usual, so the reply is the
figure as printed, with its page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DISPUTE = re.compile(
    r"^\s*(?:不对|不正确|错了|有误|你错了|数字不对|数不对|这个不对|不是这样)[啊吧呀的了，,。！!；;\s]*"
    r"(?P<what>.*?)\s*(?:应该是|应当是|应是|应为|应该为|其实是|实际是|实际上是|明明是)\s*"
    r"(?P<figure>[-−]?\d[\d,，]*(?:\.\d+)?\s*(?:亿元|万元|元|亿|万|%)?)\s*[。！!]*\s*$")
SUBJECT_TAIL = re.compile(r"(?:的?(?:金额|数字|数额|预算数|决算数|预算|决算))?$")


@dataclass(frozen=True)
class Dispute:
    """What a disputing message names (may be empty: the last answer's subject) and the figure it says is right."""

    what: str
    figure: str


def disputed(text: str) -> Dispute | None:
    """The dispute in a message, or None when it is not one."""
    m = DISPUTE.match(text or "")
    if not m:
        return None
    what = SUBJECT_TAIL.sub("", m.group("what").strip(" ，,：:")).strip()
    return Dispute(what, m.group("figure").replace(" ", "").replace("，", ","))


def subject_name(subject: str | None) -> str:
    """The name in a subject key ("econ|办公费" → 办公费)."""
    return subject.split("|", 1)[1] if subject and "|" in subject else ""
