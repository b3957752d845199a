"""Provincial disclosure templates: each turns a reader-independent Document into table rows.

A template module provides ``TEMPLATE_ID``, ``refusal(document)`` (None when the document is of its layout, else
why not, in words a person can act on), ``matches(document)`` and ``parse(document)``. The template is chosen by
the document's content: the first in :data:`TEMPLATES` that does not refuse it. A document no template accepts
gets one message naming each template tried and why it refused.
"""

from __future__ import annotations

from pipeline.document.model import Document
from pipeline.errors import DocumentError
from pipeline.tables.templates import hebei_budget, jiangsu_budget, shanghai_budget

# A template that knows a document by its structure comes before one that knows it by its title alone (the Hebei
# title pattern, ``<部门><year>年度部门预算公开``, is also the title of a Jiangsu disclosure).
TEMPLATES = (jiangsu_budget, hebei_budget, shanghai_budget)


def select(document: Document):
    """The template module that recognises ``document``; a DocumentError naming every refusal when none does."""
    reasons = []
    for template in TEMPLATES:
        why = template.refusal(document)
        if why is None:
            return template
        reasons.append(f"{template.TEMPLATE_ID}: {why}")
    first = next((b for b in document.blocks if getattr(b, "clean", "")), None)
    raise DocumentError(document.source, "no known disclosure template matches: " + "; ".join(reasons),
                        first.span if first is not None else None)
