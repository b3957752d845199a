"""Provincial disclosure templates: each turns a reader-independent Document into table rows."""

from __future__ import annotations

from pipeline.document.model import Document
from pipeline.errors import DocumentError
from pipeline.tables.templates import hebei_budget

TEMPLATES = (hebei_budget,)


def select(document: Document):
    """The template module that recognises ``document``; a DocumentError when none does."""
    for template in TEMPLATES:
        if template.matches(document):
            return template
    first = next((b for b in document.blocks if getattr(b, "clean", "")), None)
    found = f", found {first.clean[:40]!r}" if first is not None else ""
    raise DocumentError(
        document.source,
        "no known disclosure template matches: expected a title like '<department><year>年部门预算信息公开' "
        f"as the first line of text{found}",
        first.span if first is not None else None,
    )
