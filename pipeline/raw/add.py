"""``yusuan add FILE``: copy a disclosure into ``raw/`` under a safe name and record it in the manifest.

The file is read once: refused if it is not a readable, non-empty regular file within the raw size limit, or
if ``raw/`` already holds a file with the same bytes. Its new name is the original's, made safe: pinyin for
Chinese characters, lower-case ASCII letters, digits and ``-``, the suffixes kept (``预算.tika.txt`` ->
``yusuan.tika.txt``); a name already taken gets the first 8 hex digits of the file's SHA-256. The copy is
created as a new file (never over one), then the manifest entry appended (``sha256``, ``retrieved_date``
and what the options say; see README "Adding a disclosure") and the manifest replaced in one rename. If the
manifest cannot be written, the copy is removed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from pypinyin import lazy_pinyin

from pipeline.raw.discover import IGNORED_NAMES, discover, max_raw_bytes
from pipeline.raw.manifest import MANIFEST_NAME, ManifestEntry, ManifestError, check_entries, load_manifest

MAX_NAME = 120
NEW_MANIFEST_DESCRIPTION = ("Raw disclosures processed by yusuan. One entry per file in this directory; a file not "
                            "listed here is still processed, with a warning. sha256 is of the file's bytes.")


class AddError(ValueError):
    """The file was not added; nothing was changed."""


@dataclass(frozen=True)
class Added:
    path: Path
    entry: ManifestEntry


def _slug(text: str) -> str:
    words = lazy_pinyin(text)  # Chinese characters become syllables; everything else passes through
    text = "-".join(w for w in words if w.strip())
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def safe_name(original: str) -> str:
    """``廊坊市 预算(2019).tika.txt`` -> ``lang-fang-shi-yu-suan-2019.tika.txt``."""
    stem, _, rest = original.partition(".")
    suffixes = [s for s in (_slug(part) for part in rest.split(".")) if s] if rest else []
    base = _slug(stem) or "disclosure"
    name = ".".join([base, *suffixes])
    if len(name) > MAX_NAME:
        name = ".".join([base[: MAX_NAME - len(".".join(["", *suffixes]))].rstrip("-"), *suffixes])
    return name


def _read(source: Path, limit: int) -> bytes:
    if not source.exists():
        raise AddError(f"{source}: no such file")
    if not source.is_file():
        raise AddError(f"{source}: not a regular file")
    try:
        size = source.stat().st_size
        if size > limit:
            raise AddError(f"{source}: {size:,} bytes, over the raw size limit of {limit:,} bytes")
        data = source.read_bytes()
    except OSError as exc:
        raise AddError(f"{source}: cannot be read: {exc.strerror or exc}") from exc
    if not data:
        raise AddError(f"{source}: the file is empty")
    if len(data) > limit:
        raise AddError(f"{source}: over the raw size limit of {limit:,} bytes")
    return data


def add_file(source: Path, raw_dir: Path, *, retrieved: date, source_url: str | None = None,
             department_zh: str | None = None, fiscal_year: int | None = None, province_zh: str | None = None,
             kind: str | None = "budget", format: str | None = None, origin: str | None = None,
             terms: str | None = None, note: str | None = None, disclosure: str | None = None,
             part: str | None = None, reader: Callable[[bytes, str], str] | None = None) -> Added:
    """Copy ``source`` into ``raw_dir`` and append its manifest entry; raises :class:`AddError`.

    ``reader(data, name)`` (given by the caller: readers belong to a later stage) reads the file as the build
    will and returns its format's name, the entry's ``format`` unless one is given; whatever it raises is
    turned into an :class:`AddError` with its message (the file is not added).

    ``disclosure`` and ``part``: the file is one part of a disclosure published as several files (the entries
    of its files share the key); refused when the manifest would then be invalid (a part given twice, files
    that disagree on the department or year).
    """
    source, raw_dir = Path(source), Path(raw_dir)
    if not raw_dir.is_dir():
        raise AddError(f"raw folder {raw_dir} does not exist (pass --raw DIR)")
    if source.resolve().is_relative_to(raw_dir.resolve()):
        raise AddError(f"{source} is already inside {raw_dir}")
    try:
        entries = load_manifest(raw_dir)
    except ManifestError as exc:
        raise AddError(str(exc)) from exc
    data = _read(source, max_raw_bytes())
    if reader is not None:
        try:
            read_format = reader(data, source.name)
        except Exception as exc:  # noqa: BLE001 - the reader's own error says what is wrong with the file
            raise AddError(f"{source}: cannot be read as a disclosure: {exc}") from exc
        format = format or read_format
    digest = hashlib.sha256(data).hexdigest()
    same = [f.relpath for d in discover(raw_dir) for f in d.files if f.sha256 == digest]
    same += [e.file for e in entries.values() if e.sha256 == digest and e.file not in same]
    if same:
        raise AddError(f"{source}: raw/ already holds these bytes as {same[0]} (sha256 {digest}); not added twice")

    name = safe_name(source.name)
    taken = {p.name for p in raw_dir.iterdir()} | set(entries) | IGNORED_NAMES
    if name in taken:
        stem, dot, rest = name.partition(".")
        name = f"{stem}-{digest[:8]}{dot}{rest}"
    if name in taken:
        raise AddError(f"{raw_dir / name} exists; rename {source} and add it again")

    entry = ManifestEntry(file=name, sha256=digest, format=format, department_zh=department_zh,
                          province_zh=province_zh, fiscal_year=fiscal_year, kind=kind, source_url=source_url,
                          retrieved_date=retrieved, origin=origin, terms=terms, note=note, disclosure=disclosure,
                          part=part)
    try:  # the manifest with the new entry must still be valid (a part named twice, disagreeing files)
        check_entries(raw_dir / MANIFEST_NAME, [*entries.values(), entry])
    except ManifestError as exc:
        raise AddError(str(exc)) from exc
    target = raw_dir / name
    with target.open("xb") as fh:  # never over an existing file
        fh.write(data)
    try:
        _append_entry(raw_dir / MANIFEST_NAME, entry)
    except BaseException:
        target.unlink()
        raise
    return Added(target, entry)


def _append_entry(path: Path, entry: ManifestEntry) -> None:
    if path.exists():
        manifest = json.loads(path.read_text(encoding="utf-8"))
    else:
        manifest = {"description": NEW_MANIFEST_DESCRIPTION, "documents": []}
    record = {k: v for k, v in asdict(entry).items() if v is not None or k == "source_url"}
    record["retrieved_date"] = entry.retrieved_date.isoformat()
    manifest.setdefault("documents", []).append(record)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8", newline="\n")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise AddError(f"{path}: cannot write the manifest: {exc}") from exc
