"""The answer engine: a question in, a cited Answer out (see core.py). No Telegram here."""
from __future__ import annotations

from ..answers import Answer
from .core import Engine, answer, get_engine

__all__ = ["Answer", "Engine", "answer", "get_engine"]
