"""Running the ``build_package`` job inside this process, as ``yusuan build`` does: a throwaway Dagster instance,
the environment the assets read, and the outputs and failures read back from the run."""

from __future__ import annotations

import os
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


def step_failures(result) -> dict[str, str]:
    failures = {}
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE" and event.step_failure_data is not None:
            err = event.step_failure_data.error
            user = event.step_failure_data.user_failure_data
            message = (user.description if user and user.description else None) or (err.message if err else "")
            if err is not None and err.cause is not None and "Error occurred while executing" in (err.message or ""):
                message = err.cause.message
            failures[event.step_key] = message.strip()
    return failures


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
