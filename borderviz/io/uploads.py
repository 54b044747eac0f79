"""Run an import in a child process, bounded in time, memory and rows, and bring back only the result.

An uploaded file is untrusted: a 98 kB GeoPackage can ask for endless rows,
a small CSV for gigabytes. So the app (and the CLI) never parse an upload in
their own process. :func:`import_upload` hands the file to a child process
(forked from a command-line process, or, from the app's threaded server,
started by a fork server that has the readers loaded, so it starts in tens
of milliseconds), which runs :func:`borderviz.io.importers.import_file` under
limits:

- time: the child is killed after ``Limits.seconds`` of wall time;
- memory: its resident memory is watched and it is killed past
  ``Limits.memory_mb``; its address space is capped (RLIMIT_AS) as a
  backstop against a sudden allocation between two looks;
- rows: ``Limits.rows``, checked by every reader as it reads;
- at most :data:`CONCURRENT` imports run at once; others wait their turn.

The child reads the file from disk (a CSV or GeoParquet file streams, its
rows outside the border region left out as they are read) and returns the
imported rows as an Arrow IPC file (columns, not pickled Python objects),
which the parent maps into memory: the server holds the compact result and
the child's working memory goes back to the system when it exits. A refused or
killed import raises :class:`borderviz.errors.InputError` naming the file and
the problem ("took longer than 120 s", "needs more than 2048 MB").
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import resource
import signal
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pyarrow as pa

from borderviz.errors import DataError, ExportError, InputError, Problem
from borderviz.io import importers
from borderviz.io.readers import MAX_ROWS


@dataclass(frozen=True)
class Limits:
    """What one import may use."""

    seconds: float = 120.0
    memory_mb: int = 3072
    rows: int = MAX_ROWS


# At most this many imports run at once (each may use Limits.memory_mb); more wait their turn, up to
# their time limit, so the server's memory stays bounded however many sessions upload together.
CONCURRENT = 2
_SLOTS = threading.BoundedSemaphore(CONCURRENT)


LIMITS = Limits()


@dataclass(frozen=True)
class Export:
    """An export the child writes itself once the import is done (the command line's ``-o``): the rows never
    travel to the parent, which gets back only what its summary needs (ids, dates, possible duplicates)."""

    fmt: str
    path: str
    filters: dict
    summary_columns: tuple[str, ...] = ("id", "date_start", "date_end", "possible_duplicate_of")
# Address space a child may map beyond what it holds when it starts (thread stacks, allocator arenas)
# before the RLIMIT_AS backstop refuses more; the resident-memory watch is the real bound.
ADDRESS_SPACE_RESERVE_MB = 2048
WATCH_SECONDS = 0.05
LAST_CHILD_PEAK_MB = 0.0  # the last child's peak resident memory (for scripts/import_benchmark.py)

_context = None
_START_LOCK = threading.Lock()


def _ctx():
    """How a child is started. A process with one Python thread (the command line, a script) forks itself:
    the child starts at once with everything imported. A threaded one (the app's server) uses a fork server
    that has the readers imported, since forking a threaded process directly is unsafe."""
    global _context
    if threading.active_count() == 1 and sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["borderviz.io.importers", "borderviz.io.uploads"])
    return _context


# --- the child -------------------------------------------------------------------------------------------


def _vm_kb(pid: int | str = "self", key: str = "VmSize") -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _child(name: str, path: str, out: str, builtin: gpd.GeoDataFrame, limits: Limits, keep_outside: bool,
           export: Export | None, conn) -> None:
    tempfile.tempdir = str(Path(out).parent)  # scratch files go where the parent deletes them, even if killed
    cap = _vm_kb() * 1024 + (limits.memory_mb + ADDRESS_SPACE_RESERVE_MB) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    cpu = int(limits.seconds) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    last = [0.0]

    def progress(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] > 0.2:
            last[0] = now
            conn.send(("progress", fraction))

    try:
        table = importers.import_table(name, Path(path), builtin, progress=progress, max_rows=limits.rows,
                                       keep_outside=keep_outside)
        written = None
        if export is not None:
            from borderviz.io import formats

            result = importers.result_of(table)
            filters = {**export.filters, "rows_outside_region": result.outside}
            written = [str(p) for p in formats.export_to({"imported_incidents": table}, export.fmt,
                                                         Path(export.path), filters,
                                                         extra_attribution=result.attribution)]
            table = table.select(list(export.summary_columns))
        with pa.OSFile(out, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        conn.send(("done", written))
    except ExportError as exc:
        conn.send(("export-error", str(exc)[:5000]))
    except DataError as exc:
        conn.send(("error", exc.problems[:1000]))
    except (MemoryError, pa.ArrowMemoryError):
        conn.send(("memory", None))
    except Exception as exc:  # a reader's own failure: say what, never the traceback (it names server paths)
        conn.send(("crash", type(exc).__name__))
    finally:
        conn.send(("peak", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
        conn.close()


# --- the parent ------------------------------------------------------------------------------------------


def _refused(file: str, message: str) -> InputError:
    return InputError([Problem(file, "", message)])


def import_upload(name: str, data: bytes | Path, builtin: gpd.GeoDataFrame, *, limits: Limits = LIMITS,
                  progress: Callable[[float], None] | None = None, keep_outside: bool = False,
                  export: Export | None = None) -> importers.ImportResult:
    """Import ``data`` (an upload's bytes, or a file on disk, called ``name``) in a bounded child process;
    raise InputError if refused. Rows outside the border region are left out unless ``keep_outside``.

    With ``export``, the child also writes the export (raising ExportError if it cannot), and the result's
    table holds only ``export.summary_columns``; ``result.written`` lists the files written."""
    file = PurePosixPath(name.replace("\\", "/")).name
    if not isinstance(data, Path) and len(data) > importers.MAX_BYTES:
        raise _refused(file, f"is {len(data) / 1e6:.1f} MB; the limit is {importers.MAX_BYTES / 1e6:.0f} MB")
    small = gpd.GeoDataFrame(builtin[["id", "date_start", "date_end"]], geometry=builtin.geometry.values,
                             crs=builtin.crs)
    if not _SLOTS.acquire(timeout=limits.seconds):
        raise _refused(file, f"waited {limits.seconds:g} s while the server imported {CONCURRENT} other files; "
                             "try again in a minute")
    try:
        return _run(name, file, data, small, limits, progress, keep_outside, export)
    finally:
        _SLOTS.release()


def _run(name: str, file: str, data: bytes | Path, small: gpd.GeoDataFrame, limits: Limits,
         progress: Callable[[float], None] | None, keep_outside: bool, export: Export | None = None
         ) -> importers.ImportResult:
    global LAST_CHILD_PEAK_MB
    with tempfile.TemporaryDirectory(prefix="borderviz-upload-") as tmp:
        upload, out = Path(tmp) / "upload", Path(tmp) / "result.arrow"
        if isinstance(data, Path):
            upload = data.resolve()
        else:
            upload.write_bytes(data)
        ctx = _ctx()
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_child, daemon=True,
                            args=(name, str(upload), str(out), small, limits, keep_outside, export, send))
        with _START_LOCK:
            # multiprocessing re-runs the caller's __main__ in every child; under Streamlit that is the app
            # script itself. The child needs nothing from it, so it is started with a bare __main__.
            main = sys.modules["__main__"]
            sys.modules["__main__"] = types.ModuleType("__main__")
            try:
                child.start()
            finally:
                sys.modules["__main__"] = main
        send.close()
        outcome, peak_kb = None, 0
        deadline = time.monotonic() + limits.seconds
        try:
            while outcome is None:
                if receive.poll(WATCH_SECONDS):
                    try:
                        message = receive.recv()
                    except EOFError:
                        break
                    if message[0] == "progress":
                        if progress:
                            progress(message[1])
                    elif message[0] == "peak":
                        peak_kb = max(peak_kb, message[1])
                    else:
                        outcome = message
                    continue
                rss = _vm_kb(child.pid, "VmRSS")
                peak_kb = max(peak_kb, rss)
                if rss > limits.memory_mb * 1024:
                    outcome = ("memory", None)
                elif time.monotonic() > deadline:
                    outcome = ("time", None)
                elif not child.is_alive():
                    if receive.poll(0):  # it wrote its last message and exited between two looks
                        continue
                    break
        finally:
            if outcome is None or outcome[0] in ("memory", "time"):
                child.kill()
            elif receive.poll(2):  # its own peak memory, sent last
                with contextlib.suppress(EOFError, OSError):
                    message = receive.recv()
                    if message[0] == "peak":
                        peak_kb = max(peak_kb, message[1])
            child.join(10)
            if child.is_alive():
                child.kill()
                child.join()
            receive.close()
        LAST_CHILD_PEAK_MB = peak_kb / 1024
        if outcome is None:
            code = child.exitcode
            if code in (-signal.SIGXCPU, -signal.SIGKILL):
                raise _refused(file, f"took longer than {limits.seconds:g} s to import; refused")
            raise _refused(file, f"could not be read: the reader stopped (exit code {code}); a damaged or hostile "
                                 "file?")
        kind, value = outcome
        if kind == "time":
            raise _refused(file, f"took longer than {limits.seconds:g} s to import; refused")
        if kind == "memory":
            raise _refused(file, f"needs more than {limits.memory_mb} MB of memory to import; refused")
        if kind == "error":
            raise InputError(value)
        if kind == "crash":
            raise _refused(file, f"could not be read ({value}); a damaged or unusual file?")
        if kind == "export-error":
            raise ExportError(value)
        # Mapped, not copied: the pages stay on the file (still readable once its folder is removed).
        table = pa.ipc.open_file(pa.memory_map(str(out), "r")).read_all()
        result = importers.result_of(table)
        result.written = [Path(p) for p in value or []]
        del table
        _give_back()
        return result


def _give_back() -> None:
    """Return freed memory to the system: Arrow's pool and the C allocator keep it otherwise."""
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)

