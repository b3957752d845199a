"""The records of a synthetic Shanghai budget disclosure (the national tables' layout), and the vocabulary they
are drawn from. Amounts are integers of fen (分); 三公 figures are hundredths of 万元 (as the table prints them)."""

from __future__ import annotations

from dataclasses import dataclass

# Function classification (类 / 款 / 项) and economic classification (类 / 款) as printed in real documents.
FUNCTIONS = {
    "201": "一般公共服务支出", "20103": "政府办公厅（室）及相关机构事务", "2010301": "行政运行",
    "2010302": "一般行政管理事务", "2010350": "事业运行", "2010399": "其他政府办公厅（室）及相关机构事务支出",
    "20106": "财政事务", "2010601": "行政运行", "2010602": "一般行政管理事务", "2010607": "信息化建设",
    "2010608": "财政委托业务支出", "20129": "群众团体事务", "2012902": "一般行政管理事务",
    "204": "公共安全支出", "20406": "司法", "2040607": "公共法律服务",
    "206": "科学技术支出", "20607": "科学技术普及", "2060702": "科普活动",
    "207": "文化旅游体育与传媒支出", "20703": "体育", "2070308": "群众体育",
    "208": "社会保障和就业支出", "20805": "行政事业单位养老支出", "2080501": "行政单位离退休",
    "2080502": "事业单位离退休", "2080505": "机关事业单位基本养老保险缴费支出",
    "2080506": "机关事业单位职业年金缴费支出", "2080599": "其他行政事业单位养老支出",
    "20807": "就业补助", "2080705": "公益性岗位补贴",
    "210": "卫生健康支出", "21011": "行政事业单位医疗", "2101101": "行政单位医疗", "2101102": "事业单位医疗",
    "212": "城乡社区支出", "21201": "城乡社区管理事务", "2120101": "行政运行", "2120104": "城管执法",
    "2120199": "其他城乡社区管理事务支出", "21205": "城乡社区环境卫生", "2120501": "城乡社区环境卫生",
    "221": "住房保障支出", "22102": "住房改革支出", "2210201": "住房公积金", "2210203": "购房补贴",
}
ECONOMIC = {
    "301": "工资福利支出", "30101": "基本工资", "30102": "津贴补贴", "30107": "绩效工资",
    "30108": "机关事业单位基本养老保险缴费", "30109": "职业年金缴费", "30110": "职工基本医疗保险缴费",
    "30113": "住房公积金", "30199": "其他工资福利支出",
    "302": "商品和服务支出", "30201": "办公费", "30205": "水费", "30206": "电费", "30209": "物业管理费",
    "30211": "差旅费", "30217": "公务接待费", "30228": "工会经费", "30231": "公务用车运行维护费",
    "30299": "其他商品和服务支出",
    "303": "对个人和家庭的补助", "30302": "退休费",
}
PERSONNEL_CLASSES = ("301", "303")  # economic classes paid from 人员经费; 302 from 公用经费
ORDINALS = "一二三四五六七八九十"
GLOSSARY = (
    ("财政拨款收入", "是区级预算主管部门及所属预算单位本年度从本级财政部门取得的财政拨款，包括一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款。"),
    ("事业收入", "指事业单位开展专业业务活动及其辅助活动取得的收入。"),
    ("基本支出预算", "是区级预算主管部门及所属预算单位为保障其机构正常运转、完成日常工作任务而编制的年度基本支出计划，包括人员经费和公用经费两部分。"),
    ("项目支出预算", "是区级预算主管部门及所属预算单位为完成行政工作任务、事业发展目标或政府发展战略、特定目标，在基本支出之外编制的年度支出计划。"),
    ("“三公”经费", "是与区级财政有经费领拨关系的部门及其下属预算单位使用区级财政拨款安排的因公出国（境）费、公务用车购置及运行费、公务接待费。"),
    ("机关运行经费", "指行政单位和参照公务员法管理的事业单位使用一般公共预算财政拨款安排的基本支出中的日常公用经费支出。"),
)


@dataclass(frozen=True)
class Item:
    """A 项 of the function classification with its basic and project expenditure (fen)."""

    code: str
    basic: int
    project: int

    @property
    def total(self) -> int:
        return self.basic + self.project


@dataclass(frozen=True)
class EconomicLine:
    code: str
    personnel: int
    public: int

    @property
    def total(self) -> int:
        return self.personnel + self.public


@dataclass(frozen=True)
class Layout:
    """How the document is printed: the quirks the reader must handle."""

    fen: bool  # tables print fen (31,214,205.80) or whole yuan (164,978,640)
    zero: str  # a zero amount in the expenditure tables: "" (blank cell) or "0" (printed)
    brackets: bool  # 编制说明 items as 一般公共服务支出（类）…（款）…（项）, else with dashes and 科目
    truncate: bool  # prose 万元 figures truncated rather than rounded
    rows_first: int  # table rows on a table's first page (header included)
    rows_next: int  # table rows on a continuation page
    repeat_header: bool  # continuation pages repeat the header rows
    name_width: float  # width of the name column (narrow: long names wrap onto a second line)
    leaders: bool  # the 目录 has dot leaders


@dataclass(frozen=True)
class ShanghaiDisclosure:
    department: str  # 上海市普陀区…局
    year: int
    kind: str  # budget | unit-budget
    items: tuple[Item, ...]  # in code order
    economic: tuple[EconomicLine, ...]  # in code order
    three_public: tuple[int, int, int, int]  # 因公出国, 公务接待, 购置, 运行: hundredths of 万元
    running_costs: int  # 机关运行经费, hundredths of 万元
    change: int  # 财政拨款 change from last year, hundredths of 万元 (signed)
    procurement: tuple[int, int, int]  # 货物, 工程, 服务: hundredths of 万元
    duties: tuple[str, ...]
    units: tuple[str, ...]
    layout: Layout

    @property
    def unit_word(self) -> str:
        return "单位" if self.kind == "unit-budget" else "部门"

    @property
    def total(self) -> int:
        return sum(i.total for i in self.items)

    @property
    def basic(self) -> int:
        return sum(i.basic for i in self.items)

    @property
    def project(self) -> int:
        return sum(i.project for i in self.items)

    def lines(self) -> list[tuple[str, int, int]]:
        """Every row of a function table in order: (code, basic, project) for 类, 款 and 项 rows."""
        out, seen = [], set()
        for item in self.items:
            for code in (item.code[:3], item.code[:5], item.code):
                if code in seen:
                    continue
                seen.add(code)
                members = [i for i in self.items if i.code.startswith(code)]
                out.append((code, sum(i.basic for i in members), sum(i.project for i in members)))
        return out

    def economic_lines(self) -> list[tuple[str, int, int]]:
        out, seen = [], set()
        for line in self.economic:
            for code in (line.code[:3], line.code):
                if code in seen:
                    continue
                seen.add(code)
                members = [e for e in self.economic if e.code.startswith(code)]
                out.append((code, sum(e.personnel for e in members), sum(e.public for e in members)))
        return out
