"""The Shanghai layout's prose patterns: a figure with its unit and a stated change, read over a section's
paragraphs joined (:class:`pipeline.tables.templates.text.Prose`)."""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.tables.templates.text import Prose as _Prose

# A figure in prose: digits (thousands separators were folded by the reader) and its unit.
NUM = r"(?P<num>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>万元|元)"
# A stated change: 比2024年预算增加107.62万元 / 减少 … / 与2024年预算持平 / 一致0万元.
CHANGE = (r"(?:比|与|较)\s*(?:19|20)\d{2}\s*年(?:（[^）]*）)?(?:预算)?(?:执行数)?\s*(?:(?P<dir>增加|减少|增长|下降)\s*"
          r"(?P<cnum>[0-9]+(?:\.[0-9]+)?)\s*(?P<cunit>万元|元)|(?P<flat>持平|一致|不变)(?:\s*(?P<fnum>[0-9]+(?:\.[0-9]+)?)"
          r"\s*(?P<funit>万元|元))?)")


class Prose(_Prose):
    def change(self, match: re.Match | None) -> tuple[Decimal | None, str | None]:
        """``(change_yuan, change_text)`` of a CHANGE match: signed; 0 for 持平 / 一致."""
        if match is None or match.group("dir") is None and match.group("flat") is None:
            return None, None
        if match.group("flat"):
            text = match.group("flat") + (match.group("fnum") + match.group("funit") if match.group("fnum") else "")
            return Decimal("0.00"), text
        sign = -1 if match.group("dir") in ("减少", "下降") else 1
        value = self.yuan(match.group("cnum"), match.group("cunit"), match)
        return sign * value, match.group("dir") + match.group("cnum") + match.group("cunit")
