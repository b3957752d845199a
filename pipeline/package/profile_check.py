"""A descriptor against the Data Package v2 JSON Schema profiles, read offline, with a memo of valid items.

The profiles are read from ``pipeline/package/profiles/datapackage-v2/`` (byte-identical copies of the
official ones, each registered under its canonical URL, so no ``$ref`` can reach the network).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

from pipeline.package.descriptor import DATAPACKAGE_PROFILE

PROFILES_DIR = Path(__file__).resolve().parent / "profiles" / "datapackage-v2"
PROFILE_BASE_URL = "https://datapackage.org/profiles/2.0/"
PROFILE_NAMES = ("datapackage", "dataresource", "tableschema", "tabledialect")


@lru_cache(maxsize=1)
def _profiles() -> tuple[Registry, dict[str, dict]]:
    contents = {}
    for name in PROFILE_NAMES:
        contents[name] = json.loads((PROFILES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    registry = Registry().with_resources(
        (PROFILE_BASE_URL + f"{name}.json", Resource.from_contents(body)) for name, body in contents.items()
    )
    return registry.crawl(), contents


def _profile_validator(name: str) -> jsonschema.protocols.Validator:
    registry, contents = _profiles()
    schema = contents[name]
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=registry)


def _profile_errors(instance: Any, profile: str, where: str) -> list[str]:
    out = []
    validator = _profile_validator(profile)
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        at = "/".join(str(p) for p in error.absolute_path) or "(root)"
        out.append(f"{where}: not valid against the v2 {profile} profile at {at}: {error.message[:300]}")
    return out


# A memo of values the package profile judges on their own (see _memo_spec): a ``sources`` item, and a
# resource's ``schema``. Values found valid are remembered by a hash of their JSON, so a rebuild checks only new
# ones: known sources items are left out, a known schema is replaced by a stand-in the profile accepts.
PROFILE_MEMO_NAME = "validated-profile-items.json"
_ARRAY_KEYWORDS = {"propertyOrder", "options", "title", "description", "type", "minItems", "examples", "items"}
_RESOURCE_KEYWORDS = {"title", "description", "type", "oneOf", "properties"}
_SCHEMA_KEYWORDS = {"propertyOrder", "title", "description", "examples", "type", "required", "properties"}
_SCHEMA_STAND_IN = "schema.json"  # a schema given by path: valid for the profile, which only asks for a string


def _item_digest(item: Any) -> str:
    text = json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _memo_spec() -> dict[str, Any] | None:
    """The parts of the package profile the memo relies on, or None when the profile is not shaped so that
    remembering changes no verdict:

    * ``sources``: an array with no ``minItems`` and only per-item constraints, so it is valid exactly when
      each item is;
    * ``resources`` items: their only keyword relating properties is ``oneOf`` over ``required`` lists that
      do not name ``schema``, and ``schema`` accepts any string; so a resource is valid exactly when its
      ``schema`` is valid on its own and the resource is valid with the stand-in string in its place.
    """
    _, contents = _profiles()
    props = contents["datapackage"].get("properties", {})
    sources, resources = props.get("sources"), props.get("resources")
    if not (isinstance(sources, dict) and set(sources) <= _ARRAY_KEYWORDS and not sources.get("minItems")
            and isinstance(resources, dict) and set(resources) <= _ARRAY_KEYWORDS):
        return None
    item = resources.get("items")
    schema = item.get("properties", {}).get("schema") if isinstance(item, dict) else None
    if not (isinstance(item, dict) and set(item) <= _RESOURCE_KEYWORDS
            and isinstance(schema, dict) and set(schema) <= _SCHEMA_KEYWORDS
            and "string" in schema.get("type", [])
            and all(isinstance(b, dict) and set(b) == {"required"} and "schema" not in b["required"]
                    for b in item.get("oneOf", []))):
        return None
    return {"sources": sources.get("items"), "schema": schema}


class _ProfileMemo:
    def __init__(self, memo_dir: Path | None):
        spec = _memo_spec() if memo_dir is not None else None
        self.path = Path(memo_dir) / PROFILE_MEMO_NAME if spec is not None else None
        self.profile = _item_digest(spec) if spec is not None else ""
        self.known: dict[str, set[str]] = {"sources": set(), "schemas": set()}
        if self.path is None:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("profile") == self.profile:
                self.known = {kind: set(data[kind]) for kind in self.known}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass

    def reduce(self, descriptor: dict) -> tuple[dict, dict[str, set[str]]]:
        """``descriptor`` without what is known to be valid, and the digests of all it holds."""
        found: dict[str, set[str]] = {"sources": set(), "schemas": set()}
        reduced = dict(descriptor)
        items = descriptor.get("sources")
        if isinstance(items, list):
            digests = [_item_digest(item) for item in items]
            found["sources"].update(digests)
            reduced["sources"] = [item for item, d in zip(items, digests) if d not in self.known["sources"]]
        resources = descriptor.get("resources")
        if isinstance(resources, list):
            reduced["resources"] = []
            for res in resources:
                if isinstance(res, dict) and "schema" in res:
                    digest = _item_digest(res["schema"])
                    found["schemas"].add(digest)
                    if digest in self.known["schemas"]:
                        res = {**res, "schema": _SCHEMA_STAND_IN}
                reduced["resources"].append(res)
        return reduced, found

    def remember(self, found: dict[str, set[str]]) -> None:
        """After ``reduce``'s descriptor passed: everything it held is valid."""
        if all(found[kind] <= self.known[kind] for kind in found):
            return
        _write_memo(self.path, {"profile": self.profile, **{kind: sorted(found[kind]) for kind in found}})
        try:  # the file this memo was kept in before it held schemas
            self.path.with_name("validated-sources.json").unlink(missing_ok=True)
        except OSError:
            pass


def check_profiles(descriptor: Any, *, memo_dir: Path | None = None) -> list[str]:
    """Errors of ``descriptor`` against the v2 profiles.

    ``memo_dir``: where to remember ``sources`` items and resource schemas found valid (by a hash of their
    JSON), so a rebuild validates only new ones: the package lists one source per raw file (10,000 of them take
    jsonschema ~0.3 s) and 24 schemas whose fields are each tried against every field type (~0.1 s). The
    profile judges both on their own (:func:`_memo_spec` checks this before the memo is used), so the memo
    changes no verdict; with any error the descriptor is checked again whole, so messages point at the right
    place.
    """
    errors = []
    if not isinstance(descriptor, dict):
        return ["datapackage.json: not a JSON object"]
    if descriptor.get("$schema") != DATAPACKAGE_PROFILE:
        errors.append(f"datapackage.json: '$schema' is {descriptor.get('$schema')!r}, expected {DATAPACKAGE_PROFILE!r}")
    memo = _ProfileMemo(memo_dir)
    if memo.path is not None:
        reduced, found = memo.reduce(descriptor)
        if not _profile_errors(reduced, "datapackage", "datapackage.json"):
            memo.remember(found)
            return errors
    package_errors = _profile_errors(descriptor, "datapackage", "datapackage.json")
    errors += package_errors
    if not package_errors:
        # The package profile inlines the Data Resource and Table Schema profiles unchanged (a test checks
        # this), so a package that passes it passes them too; they are run only to say which resource fails.
        return errors
    for i, res in enumerate(descriptor.get("resources") or []):
        if not isinstance(res, dict):
            continue
        where = f"resource {res.get('name', i)!r}"
        errors += _profile_errors(res, "dataresource", where)
        if isinstance(res.get("schema"), dict):
            errors += _profile_errors(res["schema"], "tableschema", where + " schema")
    return errors


def _write_memo(path: Path, data: dict) -> None:
    """Atomically; a memo that cannot be written only costs a full check next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
