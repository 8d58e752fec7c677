"""Internally consistent figures for one unit and year: function items, economic items, 三公, prose facts.

All amounts are integers in 元; 决算 figures are multiples of 100 元 so that 万元 print exactly."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

PERSONNEL_SHARES = {"30101": 0.10, "30102": 0.21, "30103": 0.03, "30107": 0.13, "30108": 0.08, "30109": 0.04,
                    "30110": 0.055, "30112": 0.005, "30113": 0.06}
PUBLIC_SHARES = {"30201": 0.18, "30205": 0.02, "30206": 0.04, "30207": 0.04, "30209": 0.16, "30211": 0.02,
                 "30213": 0.06, "30215": 0.01, "30216": 0.02, "30226": 0.03, "30227": 0.05, "30228": 0.06,
                 "30229": 0.07, "30239": 0.08}
REASONS = {
    ("up", "staff"): ["人员增加", "社会保险缴费基数调整", "人员经费标准调整"],
    ("down", "staff"): ["人员退休减少", "人员调出", "厉行节约压减一般性支出"],
    ("up", "project"): ["项目调整", "新增重点项目", "设备更新需求增加", "工作任务增加"],
    ("down", "project"): ["部分项目已完成", "项目调整", "厉行节约压减一般性支出"],
}


@dataclass
class Item:
    """One 项 of the function classification."""

    code: str
    basic: int = 0  # financed by 财政拨款 (一般公共预算)
    project: int = 0
    other: int = 0  # spent from 事业收入 (basic)
    other_income: int = 0  # 事业收入 received on this 项 (决算; differs from `other` by the carry-over)
    prev: int = 0  # 预算: last year's 执行数 (元); 决算: 年初预算 (元)
    purpose: str = ""
    reason: str = ""

    @property
    def fiscal(self) -> int:
        """Financed by 财政拨款."""
        return self.basic + self.project

    @property
    def total(self) -> int:
        """All spending."""
        return self.basic + self.project + self.other

    @property
    def income_total(self) -> int:
        """All income received on this 项 (决算)."""
        return self.basic + self.project + self.other_income

    @property
    def basic_all(self) -> int:
        """Basic expenditure whatever its source."""
        return self.basic + self.other

    @property
    def zero(self) -> int:
        """A column the unit has nothing in."""
        return 0


@dataclass
class SanGong:
    """“三公”经费 in 元."""

    abroad: int = 0
    reception: int = 0
    car_buy: int = 0
    car_run: int = 0

    @property
    def cars(self) -> int:
        """公务用车购置及运行费."""
        return self.car_buy + self.car_run

    @property
    def total(self) -> int:
        """All spending."""
        return self.abroad + self.reception + self.car_buy + self.car_run


@dataclass
class Ledger:
    """A unit-year's figures."""

    items: list[Item]
    econ: dict[str, int]  # 一般公共预算 basic expenditure by 5-digit economic code
    sangong: SanGong
    sangong_prev: SanGong  # 预算: last year's budget; 决算: this year's budget (预算数)
    running: int  # 机关运行经费
    running_prev: int
    prev_fiscal: int  # last year's 财政拨款 total (预算 comparison / 决算 上年)
    purchase: tuple[int, int, int]  # 政府采购 货物, 工程, 服务
    sme: tuple[int, int]  # 面向中小企业预留, of which 小微企业
    vehicles: dict[str, int]
    vehicles_new: int = 0
    equipment: int = 0
    floor_area: float = 0.0
    perf_projects: int = 0
    reception_batches: int = 0
    reception_people: int = 0
    abroad_groups: int = 0
    abroad_people: int = 0
    carry_in: int = 0  # 年初结转和结余 (non-fiscal)
    carry_out: int = 0
    prev_total: int = 0  # 决算: last year's 收入支出总计
    reason: str = "项目调整"  # why 财政拨款 changed from last year
    gap_reason: str = "部分项目按实际进度支付，结余资金按规定收回"  # 决算: why spending differs from 年初预算
    run_code: str = ""  # the 项 holding the 公用经费
    extras: dict[str, int] = field(default_factory=dict)

    def fiscal(self) -> int:
        """Financed by 财政拨款."""
        return sum(i.fiscal for i in self.items)

    def basic(self) -> int:
        """财政拨款 basic expenditure."""
        return sum(i.basic for i in self.items)

    def project(self) -> int:
        """Project expenditure."""
        return sum(i.project for i in self.items)

    def probe_item(self) -> Item:
        """A 项 with both basic and project spending (or the largest one): the cell a test asks for."""
        both = [i for i in self.items if i.basic and i.project]
        return both[0] if both else max(self.items, key=lambda i: i.total)

    def other(self) -> int:
        """Spending from 事业收入."""
        return sum(i.other for i in self.items)

    def other_income(self) -> int:
        """事业收入 received."""
        return sum(i.other_income for i in self.items)

    def total(self) -> int:
        """All spending."""
        return sum(i.total for i in self.items)

    def personnel(self) -> int:
        """人员经费 (economic classes 301 and 303)."""
        return sum(v for k, v in self.econ.items() if k[:3] in ("301", "303") and len(k) == 5)

    def public(self) -> int:
        """公用经费 (economic classes 302 and 310)."""
        return sum(v for k, v in self.econ.items() if k[:3] in ("302", "310") and len(k) == 5)

    def item(self, code: str) -> Item:
        """The 项 with this code."""
        return next(i for i in self.items if i.code == code)

    def classes(self) -> list[str]:
        """The 3-digit class codes in use, in order."""
        return sorted({i.code[:3] for i in self.items})

    def rollup(self, prefix: str, attr: str) -> int:
        """Sum of `attr` over the items under a class/款 prefix."""
        return sum(getattr(i, attr) for i in self.items if i.code.startswith(prefix))


@dataclass
class Plan:
    """What to generate: sizes, which 项 exist, which carry projects."""

    seed: int
    personnel: int  # 元, 一般公共预算 人员经费 before 退休费
    public: int  # 公用经费
    run_items: list[str]  # 项 that absorb the rest of basic expenditure (first one takes most)
    projects: dict[str, int]  # 项 -> project amount
    medical_split: float = 1.0  # share of 职工医疗 on 行政单位医疗 (rest on 事业单位医疗)
    retired: str = "2080501"
    other: dict[str, int] = field(default_factory=dict)  # 项 -> 事业收入-financed spending
    sangong: SanGong = field(default_factory=SanGong)
    quantum: int = 1  # round generated amounts to this many 元 (100 for 决算)
    running_share: float = 1.0
    capital: int = 0  # 31002 办公设备购置 inside the 公用经费


def _split(total: int, shares: dict[str, float], quantum: int, rng: random.Random) -> dict[str, int]:
    """Split `total` by shares (jittered), the rounding rest going to the last key."""
    out: dict[str, int] = {}
    for code, share in shares.items():
        out[code] = int(total * share * rng.uniform(0.9, 1.1)) // quantum * quantum
    return out


def make_ledger(plan: Plan) -> Ledger:
    """Figures where every total is the sum of its parts (the 公用经费 may include 31002 办公设备购置)."""
    rng = random.Random(plan.seed)
    q = plan.quantum
    econ = _split(plan.personnel, PERSONNEL_SHARES, q, rng)
    econ["30199"] = plan.personnel - sum(econ.values())
    econ["30302"] = int(plan.personnel * 0.03) // q * q
    public = _split(plan.public, PUBLIC_SHARES, q, rng)
    public["30217"] = plan.sangong.reception
    public["30231"] = plan.sangong.car_run
    if plan.sangong.abroad:
        public["30212"] = plan.sangong.abroad
    if plan.capital:
        public["31002"] = plan.capital
    public["30299"] = plan.public - sum(public.values())
    econ.update(public)
    econ = dict(sorted(econ.items()))
    items = _function_items(plan, econ)
    running = int(plan.public * plan.running_share) // q * q
    return Ledger(items=items, econ=econ, sangong=plan.sangong, sangong_prev=SanGong(), running=running,
                  running_prev=running, prev_fiscal=0, purchase=(0, 0, 0), sme=(0, 0), vehicles={},
                  run_code=plan.run_items[0])


def _function_items(plan: Plan, econ: dict[str, int]) -> list[Item]:
    """Basic expenditure tied to the economic items (pension, annuity, medical, housing fund, retirees)."""
    q = plan.quantum
    basic: dict[str, int] = {
        "2080505": econ["30108"], "2080506": econ["30109"], "2210201": econ["30113"], plan.retired: econ["30302"],
    }
    medical = econ["30110"]
    admin_med = int(medical * plan.medical_split) // q * q
    basic["2101101"] = admin_med
    if medical - admin_med:
        basic["2101102"] = medical - admin_med
    rest = sum(econ.values()) - sum(basic.values())
    runs = plan.run_items
    ranks = list(range(len(runs) - 1, 0, -1))
    weights = [0.7] + [0.3 * r / sum(ranks) for r in ranks] if len(runs) > 1 else [1.0]
    for code, w in zip(runs[1:], weights[1:], strict=True):
        basic[code] = basic.get(code, 0) + int(rest * w) // q * q
    basic[runs[0]] = basic.get(runs[0], 0) + rest - sum(int(rest * w) // q * q for w in weights[1:])
    codes = sorted(set(basic) | set(plan.projects) | set(plan.other))
    return [Item(code=c, basic=basic.get(c, 0), project=plan.projects.get(c, 0), other=plan.other.get(c, 0),
                 other_income=plan.other.get(c, 0)) for c in codes]


def set_history(ledger: Ledger, seed: int, quantum: int = 1, equal_every: int = 5,
                reasons: dict[tuple[str, str], list[str]] = REASONS) -> None:
    """Last year's figure per item (预算: 执行数; 决算: 年初预算) with a reason for each change.

    reasons[(up|down, staff|project)] explains a figure above/below the earlier one."""
    rng = random.Random(seed * 7 + 1)
    for n, item in enumerate(ledger.items):
        base = item.fiscal
        if n % equal_every == 2 or base == 0:
            item.prev = base
        else:
            item.prev = max(quantum, int(base * rng.uniform(0.72, 1.3)) // quantum * quantum)
        kind = "project" if item.project else "staff"
        if item.prev == base:
            item.reason = ""
        else:
            item.reason = rng.choice(reasons[("up" if item.prev < base else "down", kind)])


FINAL_REASONS = {
    ("up", "staff"): ["年中人员增加及社会保险缴费基数调整", "追加人员经费"],
    ("down", "staff"): ["年中人员变动，社会保险缴费基数调整", "严格控制机关运行成本，勤俭节约"],
    ("up", "project"): ["年中追加项目经费", "新增临时性工作任务"],
    ("down", "project"): ["部分项目按实际进度支付", "政府采购节约资金", "部分项目未开展完成"],
}


def set_carry_over(ledger: Ledger, code: str, carry_in: int, carry_out: int) -> None:
    """Non-fiscal carry-over: the 项 `code` spends its 事业收入 plus carry_in minus carry_out."""
    ledger.carry_in, ledger.carry_out = carry_in, carry_out
    for item in ledger.items:
        item.other_income = item.other
    item = ledger.item(code)
    item.other_income = item.other - (carry_in - carry_out)
