"""Who a document is about: names, duties, organisation, projects (the prose side of a unit)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Indicator:
    """One row of a 绩效目标 form."""

    level1: str
    level2: str
    level3: str
    value: str


@dataclass
class Project:
    """A project with its 绩效目标填报表."""

    name: str
    code: str  # the function 项 it is spent on
    amount: int  # 元
    goal: str
    indicators: list[Indicator]
    nature: str = "经常性项目"
    category: str = "特定目标类"


@dataclass
class Profile:
    """A unit and the year of its document."""

    unit: str
    short: list[str]
    year: int
    district: str = ""  # 云溪区; '' for a 市级 unit
    level: str = "区级"
    scope: str = "部门"
    intro: str = ""
    duties: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)  # 内设机构
    subunits: list[tuple[str, str]] = field(default_factory=list)  # (name, 行政/参公/事业), the unit itself first
    projects: list[Project] = field(default_factory=list)
    purposes: dict[str, str] = field(default_factory=dict)  # 项 code -> 主要用于 …
    note: str = ""

    @property
    def name(self) -> str:
        """The short name questions use."""
        return self.short[0]

    @property
    def place(self) -> str:
        """'本区' or '本市' as the template says."""
        return "本区" if self.level == "区级" else "本市"
