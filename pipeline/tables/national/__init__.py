"""The national department-budget tables (部门预算公开表), as every province prints them in its own layout.

Knowledge that is the same in every province lives here, so that a province is a template, not a new reader:
the tables and what their columns mean (:mod:`.vocabulary`), the function and economic classification codes
(:mod:`.codes`), reading a ruled table's header into column meanings (:mod:`.grids`), and turning the rows of
a classification table, a summary table or the 三公 table into the rows of ``function_lines``,
``economic_lines``, ``summary_lines``, ``classification_codes`` and ``three_public_expenses``
(:mod:`.lines`). What a province prints differently (titles, units, headers, sections, prose) is in its template.
"""
