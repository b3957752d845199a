"""Word 97-2003 .doc -> .docx bytes, by LibreOffice run headless; the DOCX reader then reads the result.

LibreOffice (``soffice``; Debian: ``apt-get install libreoffice-writer-nogui``) is started by the pipeline for
one file at a time, with

* a temporary folder the program creates and removes, holding the input (a copy of the raw bytes: raw/ is
  never touched, LibreOffice leaves lock files beside what it opens), an isolated user profile
  (``-env:UserInstallation=file://…``: no settings, no shared profile lock) and the output;
* no network: in a new network namespace (``unshare -rn``) where the system allows one; LibreOffice
  converting a file makes no network access of its own either way;
* a timeout (:data:`TIMEOUT_SECONDS`, ``$YUSUAN_DOC_TIMEOUT``), after which its whole process group is killed.

Where ``soffice`` is not installed (or ``$YUSUAN_SOFFICE`` names none), the file is refused with a message
that says how to install it or to convert the file by hand; that refusal is not kept in the parse cache, so
the next build after installing LibreOffice reads the file. The ``source_ref`` of a row read from a .doc
numbers paragraphs and tables as in the .docx LibreOffice wrote, which keeps the .doc's paragraphs and
tables in order.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from pipeline.document.readers import docx_reader
from pipeline.document.readers.reading import Reading
from pipeline.errors import DocumentError

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FORMAT = "doc-via-libreoffice"
REF_PATTERN = docx_reader.REF_PATTERN  # the converted file is read as a .docx
TIMEOUT_SECONDS = 120
HOW_TO_CONVERT = ("install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer-nogui) so the pipeline "
                  "can convert it, or save the file as .docx (Word: Save As > Word Document; LibreOffice: "
                  "soffice --headless --convert-to docx FILE.doc) and put the .docx in raw/ instead")


def soffice() -> str | None:
    """The LibreOffice program: ``$YUSUAN_SOFFICE`` if set, else ``soffice`` on the PATH; None when missing."""
    named = os.environ.get("YUSUAN_SOFFICE")
    if named:
        return named if os.path.isfile(named) and os.access(named, os.X_OK) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def timeout_seconds() -> float:
    value = os.environ.get("YUSUAN_DOC_TIMEOUT")
    try:
        return float(value) if value else TIMEOUT_SECONDS
    except ValueError:
        return TIMEOUT_SECONDS


@functools.lru_cache(maxsize=1)
def _no_network_prefix() -> tuple[str, ...]:
    """``unshare -rn`` when this system lets an unprivileged process have its own, empty network namespace."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    try:
        ok = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return (unshare, "-rn") if ok else ()


def convert_doc(data: bytes, source: str) -> bytes:
    """The .docx LibreOffice makes of the .doc in ``data``; :class:`DocumentError` when it cannot."""
    program = soffice()
    if program is None:
        missing = DocumentError(source, f"a Word 97-2003 .doc file, and LibreOffice (soffice), which converts it, "
                                        f"is not installed: {HOW_TO_CONVERT}")
        missing.transient = True  # about this machine, not the file: not cached, tried again once installed
        raise missing
    limit = timeout_seconds()
    with tempfile.TemporaryDirectory(prefix="yusuan-doc-") as tmp:
        folder = Path(tmp)
        (folder / "in.doc").write_bytes(data)
        (folder / "out").mkdir()
        command = [*_no_network_prefix(), program, "--headless", "--norestore", "--nologo", "--nodefault",
                   "--nolockcheck", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(folder / "out"), str(folder / "in.doc")]
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env["HOME"] = str(folder)  # nothing of the user's is read or written
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, cwd=folder, env=env, start_new_session=True)
        except OSError as exc:
            raise DocumentError(source, f"LibreOffice ({program}) could not be started: {exc}; {HOW_TO_CONVERT}") from exc
        try:
            output, _ = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise DocumentError(source, f"LibreOffice did not convert the .doc file within {limit:g} s "
                                        "($YUSUAN_DOC_TIMEOUT): refusing it") from None
        result = folder / "out" / "in.docx"
        if process.returncode != 0 or not result.is_file():
            said = output.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise DocumentError(source, f"LibreOffice could not convert this .doc file (exit {process.returncode}: "
                                        f"{said[0][:200]}); is it a Word 97-2003 document?")
        return result.read_bytes()


def accepts(data: bytes) -> bool:
    """An OLE compound file (Word 97-2003 .doc; an .xls or another OLE file fails conversion, saying so)."""
    return data.startswith(OLE_SIGNATURE)


def read(data: bytes, source: str) -> Reading:
    return Reading(docx_reader.read_docx(convert_doc(data, source), source), FORMAT, None)
