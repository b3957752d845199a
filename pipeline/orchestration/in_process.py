"""Running the ``build_package`` job inside this process, as ``yusuan build`` does: a throwaway Dagster instance,
the environment the assets read, and the outputs and failures read back from the run."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def environ(name: str, value: str):
    """Set an environment variable for the in-process run (the assets read the limit from it)."""
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


# Errors the pipeline raises on purpose (pipeline.errors): their message is the whole story, without a class name.
EXPECTED_ERRORS = {"PublishError", "NotReplaceable", "ManifestError", "BuildError", "LockBusy", "FolderError",
                   "DocumentError"}


def _message(err) -> str:
    """A step's error as a person reads it: an expected error's own message; anything else as an internal error."""
    if err is None:
        return ""
    if err.cause is not None and "Error occurred while executing" in (err.message or ""):
        err = err.cause
    text = (err.message or "").strip()
    prefix = re.match(r"^[\w.]+: ", text)
    if err.cls_name in EXPECTED_ERRORS:
        return text[prefix.end():] if prefix else text
    return f"internal error ({text}): a bug in yusuan; please report it"


def step_failures(result) -> dict[str, str]:
    """``{step: message}`` of the steps that failed, plain text (no class names of expected errors)."""
    failures = {}
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE" and event.step_failure_data is not None:
            user = event.step_failure_data.user_failure_data
            message = (user.description if user and user.description else None) or _message(
                event.step_failure_data.error)
            failures[event.step_key] = message.strip()
    return failures


def failure_metadata(result, step: str, key: str):
    """The value of metadata ``key`` a failed step attached to its ``dg.Failure`` (None if none)."""
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE" and event.step_key == step and event.step_failure_data:
            user = event.step_failure_data.user_failure_data
            value = (user.metadata or {}).get(key) if user else None
            if value is not None:
                return getattr(value, "value", value)
    return None


def output(result, node: str, output_name: str = "result"):
    try:
        return result.output_for_node(node, output_name)
    except Exception:  # noqa: BLE001 - the step did not produce it
        return None


DAGSTER_TMP_PREFIX = "yusuan-dagster-"


# A leftover is removed only once it is this old, in case its process lives in another PID namespace that
# shares the temporary folder (there it would look dead).
LEFTOVER_AGE_S = 3600


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process
        return True
    return True


def dagster_tempdir() -> tempfile.TemporaryDirectory:
    """The folder of a build's throwaway Dagster instance, ``<tmp>/yusuan-dagster-<pid>-<random>``.

    A build killed before it could clean up leaves its folder behind; those of processes that are gone (and
    untouched for an hour) are removed here, as are folders of the former name without a pid after a day.
    """
    now = time.time()
    for path in Path(tempfile.gettempdir()).glob(f"{DAGSTER_TMP_PREFIX}*"):
        pid, _, rest = path.name[len(DAGSTER_TMP_PREFIX):].partition("-")
        try:
            age = now - path.stat().st_mtime
        except OSError:
            continue
        gone = (pid.isdigit() and rest and not _alive(int(pid)) and age > LEFTOVER_AGE_S) or (
            not rest and age > 24 * LEFTOVER_AGE_S)
        if gone and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
    return tempfile.TemporaryDirectory(prefix=f"{DAGSTER_TMP_PREFIX}{os.getpid()}-")
