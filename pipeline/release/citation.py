"""How to cite a release: ``CITATION.cff`` (Citation File Format 1.2.0) and the one-line citation of the
README and release notes. Dates come from the package's ``created``, never the clock."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def release_date(descriptor: Mapping[str, Any]) -> str | None:
    created = descriptor.get("created")
    return created[:10] if isinstance(created, str) and len(created) >= 10 else None


def authors(descriptor: Mapping[str, Any]) -> list[str]:
    people = [c.get("title") for c in descriptor.get("contributors", [])
              if isinstance(c, dict) and c.get("title") and "creator" in (c.get("roles") or ["creator"])]
    return people or ["yusuan developers"]


def citation_line(descriptor: Mapping[str, Any]) -> str:
    """``<authors> (<year>). <title> (version <v>) [Data set]. <id>``."""
    date = release_date(descriptor)
    year = f" ({date[:4]})" if date else ""
    return (f"{', '.join(authors(descriptor))}{year}. {descriptor['title']} (version {descriptor['version']}) "
            f"[Data set]. {descriptor['id']}")


def _q(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def citation_cff(descriptor: Mapping[str, Any]) -> str:
    lines = [
        "cff-version: 1.2.0",
        f"message: {_q('If you use this dataset, please cite it as below.')}",
        "type: dataset",
        f"title: {_q(descriptor['title'])}",
        f"version: {_q(descriptor['version'])}",
    ]
    date = release_date(descriptor)
    if date:
        lines.append(f"date-released: {_q(date)}")
    lines.append(f"abstract: {_q(descriptor.get('description', ''))}")
    lines.append("authors:")
    lines += [f"  - name: {_q(name)}" for name in authors(descriptor)]
    licences = [lic.get("name") for lic in descriptor.get("licenses", []) if isinstance(lic, dict) and lic.get("name")]
    if licences:
        lines.append(f"license: {_q(licences[0])}")
    if descriptor.get("keywords"):
        lines.append("keywords:")
        lines += [f"  - {_q(k)}" for k in descriptor["keywords"]]
    id_ = descriptor["id"]
    lines.append("identifiers:")
    if id_.startswith("https://doi.org/"):
        lines += ["  - type: doi", f"    value: {_q(id_[len('https://doi.org/'):])}"]
        lines.append(f"doi: {_q(id_[len('https://doi.org/'):])}")
    else:
        lines += ["  - type: other", f"    value: {_q(id_)}",
                  f"    description: {_q('Identifier of this release (no DOI was given)')}"]
    if descriptor.get("homepage"):
        lines.append(f"url: {_q(descriptor['homepage'])}")
    return "\n".join(lines) + "\n"
