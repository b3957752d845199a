"""``python -m pipeline.tables.checks``: print the check catalogue (Markdown), or ``--write-schema PATH`` to write its
enums into the ``checks`` Table Schema after changing the catalogue."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.tables.checks.catalogue import catalogue_markdown, schema_with_enums


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the check catalogue, or write its enums into the schema.")
    parser.add_argument("--write-schema", type=Path, metavar="PATH",
                        help="rewrite the enums of this checks Table Schema (schemas/checks.schema.json)")
    args = parser.parse_args(argv)
    if args.write_schema:
        schema = schema_with_enums(json.loads(args.write_schema.read_text(encoding="utf-8")))
        args.write_schema.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    else:
        sys.stdout.write(catalogue_markdown() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
