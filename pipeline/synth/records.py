"""Random structured records of a Hebei department budget disclosure, consistent by construction.

Amounts are integers in hundredths of 万元 (100 yuan each), the precision disclosures print (``6041.24`` 万元
is 604124), so every identity holds exactly at the printed precision:

* income total = expenditure total = sum of income sources; expenditure = basic + project;
  basic = personnel + public operating; project = sum of the named project items (= 本级支出);
  change of the total = change of basic + change of project; no previous-year figure is negative.
* “三公” total = outbound + vehicles + reception, vehicles = purchase + operation, the same for changes,
  a zero total has zero items.
* level-1 activity budgets are the project items, each named after its item (vocab.PROJECT_ITEMS) or holding
  a sub-activity so named with the whole amount (see :func:`pipeline.synth.draw.make_activities`); a parent's budget is the sum
  of its children's given ones.
* procurement: quantity × unit price = amount = current-year funds + other channels, current-year funds =
  the four funding columns, the 合计 row sums every column and equals the prose total.
* fixed assets: the four parts sum to 资产总额, 其中 (office space) is a subset of buildings.

Source anomalies (the seed's quirks: ``4.37。万元``, ``16.9 台``, an empty grade cell, an activity without
indicators, a description printed twice across a page break) are drawn at modest rates (``P_*`` in :mod:`pipeline.synth.draw`); :func:`pipeline.synth.expected.expected_anomalies` lists the
ones a document holds, as the checks must report them. Nothing else in a generated document is an anomaly.

The records are drawn by :mod:`pipeline.synth.draw`.
"""

from __future__ import annotations

from dataclasses import dataclass

CN_DIGITS = "零一二三四五六七八九"
YUAN = 100  # yuan per amount unit (hundredths of 万元)


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 14 -> 十四, 20 -> 二十, 23 -> 二十三 (1..99)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens] + "十")
    return head + (CN_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class Department:
    city: str
    district: str
    body: str  # 万庄镇人民政府 or 财政局

    @property
    def name(self) -> str:
        return self.city + self.district + self.body

    @property
    def short(self) -> str:
        """The name as printed in table headers (without 人民政府)."""
        return self.name.removesuffix("人民政府")


@dataclass(frozen=True)
class Unit:
    name: str
    nature: str
    grade: str
    funding: str


@dataclass(frozen=True)
class Budget:
    income: tuple[tuple[str, int], ...]  # (label as printed, amount); the first is the general budget
    personnel: int
    public_operating: int
    project_items: tuple[tuple[str, int], ...]
    basic_change: int
    project_change: int
    basic_reason: str | None
    project_reason: str | None
    running_costs: int

    @property
    def basic(self) -> int:
        return self.personnel + self.public_operating

    @property
    def project(self) -> int:
        return sum(a for _, a in self.project_items)

    @property
    def total(self) -> int:
        return self.basic + self.project

    @property
    def total_change(self) -> int:
        return self.basic_change + self.project_change


@dataclass(frozen=True)
class ThreePublic:
    outbound: int
    purchase: int
    operation: int
    reception: int
    outbound_change: int
    purchase_change: int
    operation_change: int
    reception_change: int
    vehicles_label: str
    operation_label: str
    reason: str
    stray_full_stop: bool  # the seed's ``4.37。万元``

    @property
    def vehicles(self) -> int:
        return self.purchase + self.operation

    @property
    def vehicles_change(self) -> int:
        return self.purchase_change + self.operation_change

    @property
    def total(self) -> int:
        return self.outbound + self.vehicles + self.reception

    @property
    def total_change(self) -> int:
        return self.outbound_change + self.vehicles_change + self.reception_change


@dataclass(frozen=True)
class Indicator:
    name: str
    standards: tuple[str, str, str, str]  # 优 良 中 差; "" for an empty cell


@dataclass(frozen=True)
class Activity:
    number: str  # as printed: 一 or 1
    name: str
    budget: int | None
    description: tuple[str, ...]  # paragraphs of the cell (adversarial: one may repeat the one before it)
    goal: str
    indicators: tuple[Indicator, ...]
    children: tuple[Activity, ...] = ()
    # The description cell crosses a page break and Word prints its text again after empty paragraphs
    # (the seed's lines 718/762): read once, and reported (paragraph_printed_twice).
    printed_twice: bool = False


@dataclass(frozen=True)
class ProcurementItem:
    project: str
    item: str
    code: str
    unit: str
    quantity: str  # as printed: "4" or "16.9"
    unit_price: int
    general: int
    fund: int
    special: int
    other_sources: int
    other_channels: int

    @property
    def current_year(self) -> int:
        return self.general + self.fund + self.special + self.other_sources

    @property
    def amount(self) -> int:
        return self.current_year + self.other_channels


@dataclass(frozen=True)
class Assets:
    as_of_year: int
    building_area: int  # 平方米
    building_value: int
    office_area: int
    office_value: int
    vehicle_count: int
    vehicle_value: int
    equipment_count: int
    equipment_value: int
    other_value: int

    @property
    def total(self) -> int:
        return self.building_value + self.vehicle_value + self.equipment_value + self.other_value


@dataclass(frozen=True)
class Disclosure:
    department: Department
    code: str  # 3-digit department code printed in table headers
    year: int
    duties: tuple[tuple[str, str], ...]  # (heading, rest of the text)
    units: tuple[Unit, ...]
    budget: Budget
    three_public: ThreePublic
    overall_goals: tuple[str, ...]
    duty_goals: tuple[tuple[str, str], ...]  # (heading, body)
    activities: tuple[Activity, ...]
    procurement: tuple[ProcurementItem, ...] | None  # None: the section says there is none
    assets: Assets | None
    glossary: tuple[tuple[str, str], ...]
    trim_zeros: bool = False  # print 1.4 rather than 1.40 (both occur in the seed)
    grouped_thousands: bool = False  # fixed-asset values as 1,097.10 (the seed groups its 15,034 平方米)
    # Drawn in adversarial mode (pipeline.synth.draw): the renderer then lets every row that can be narrow be
    # narrow, so two narrow rows in a row occur (see render._activity_rows and render._procurement).
    adversarial: bool = False

    @property
    def title(self) -> str:
        return f"{self.department.name}{self.year}年部门预算信息公开"




