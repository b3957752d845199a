"""Stable, human-readable document identifiers built from the department name and the fiscal year."""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin

# Administrative levels at which a department name is split into id segments. 州 ends a segment unless 市
# follows: 沧州市 is one city (cangzhoushi), not 沧州 + 市….
_SEGMENT = re.compile(r".+?(?:自治区|自治州|省|市|州(?!市)|盟|区|县|旗|镇|乡|街道办事处|街道)|.+$")


def name_segments(name: str) -> list[str]:
    """``廊坊市广阳区万庄镇人民政府`` -> ``['廊坊市', '广阳区', '万庄镇', '人民政府']``."""
    return _SEGMENT.findall(re.sub(r"\s+", "", name))


def slug(text: str) -> str:
    """Pinyin without tones, lower case, ASCII letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(text)).lower())


def document_id(department_name: str, fiscal_year: int, kind: str) -> str:
    """``langfangshi-guangyangqu-wanzhuangzhen-renminzhengfu-2019-budget``."""
    parts = [s for s in (slug(seg) for seg in name_segments(department_name)) if s]
    if not parts:
        raise ValueError(f"cannot build an id from department name {department_name!r}")
    return "-".join([*parts, str(fiscal_year), kind])
