"""The workspace's plain files that can hold a person: uploads being ingested, and
partner files kept in the workspace (the demo's ``feeds/``).

An upload is written to ``tmp/uploads/`` and held there under an exclusive lock
(``flock``) for as long as its ingestion runs; it is removed when the ingestion
ends, whatever the outcome. A process killed meanwhile leaves the file behind,
and the kernel drops its lock: :func:`sweep_uploads` (run when a workspace is
opened, so at every service start and command) removes every upload that is
older than the running process and that nobody holds.

Erasing a person (:func:`erase_from_files`) sweeps the uploads and takes the
person's lines or rows out of every other plain file of the workspace that holds
their resident ID or subject key; the lake and the store are erased by their own
code. Rejection files never hold a whole resident ID (the middle is masked when
they are written) and are not read.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["UPLOADS", "erase_from_files", "held_upload", "sweep_uploads"]

#: Where uploads wait while they are ingested, under the workspace.
UPLOADS = Path("tmp") / "uploads"
#: Files the engines and the store look after themselves (erased and compacted there).
_OWN = re.compile(r"^(lake\.duckdb.*|store\.sqlite.*|workspace\.json|summary\.json)$")
_SKIPPED_FOLDERS = {"rejections", "lake-spark", "issuer"}
_TEXT = {".csv", ".jsonl", ".ndjson", ".json", ".txt"}
#: Uploads written before this moment were written by an earlier process.
_STARTED = time.time()


def _lock(handle: IO[Any], *, wait: bool) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover (not POSIX: an orphan is known by its age alone)
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


@contextmanager
def held_upload(root: Path, suffix: str) -> Iterator[tuple[IO[bytes], Path]]:
    """A new file under ``root/tmp/uploads`` with ``suffix``, locked while the block
    runs and removed when it ends, by success or by any exception.

    >>> with held_upload(Path(tempfile.mkdtemp()), ".csv") as (handle, path):
    ...     _ = handle.write(b"record_id\\n")
    >>> path.exists()
    False
    """
    folder = root / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(suffix=suffix, dir=folder)
    path = Path(name)
    try:
        with os.fdopen(descriptor, "w+b") as handle:
            _lock(handle, wait=True)
            yield handle, path
    finally:
        path.unlink(missing_ok=True)


def sweep_uploads(root: Path) -> int:
    """Remove uploads left by a process that ended without removing them (killed, or
    the machine stopped): older than this process, and held by nobody. Return how many."""
    folder = root / UPLOADS
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        try:
            if not path.is_file() or path.stat().st_mtime >= _STARTED:
                continue
            with path.open("rb") as handle:
                if not _lock(handle, wait=False):
                    continue  # an ingestion in another process holds it
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def _pattern(number: str, key: str) -> re.Pattern[bytes]:
    """The resident ID as partners may spell it (spaces between characters, lower-case
    x), or the subject key."""
    spelled = r"\s*".join(re.escape(character) for character in number)
    return re.compile(f"{spelled}|{re.escape(key)}".encode(), re.IGNORECASE)


def _rewrite_text(path: Path, pattern: re.Pattern[bytes]) -> int:
    """Drop the lines of ``path`` that match; return how many were dropped."""
    lines = path.read_bytes().splitlines(keepends=True)
    kept = [line for line in lines if not pattern.search(line)]
    if len(kept) != len(lines):
        partial = path.with_name(path.name + ".erasing")
        partial.write_bytes(b"".join(kept))
        partial.replace(path)
    return len(lines) - len(kept)


def _rewrite_parquet(path: Path, pattern: re.Pattern[bytes]) -> int:
    """Drop the rows of a Parquet file with a text value that matches."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    hits = None
    for column in table.columns:
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            continue
        found = pc.match_substring_regex(
            column, pattern.pattern.decode(), ignore_case=True
        ).fill_null(False)
        hits = found if hits is None else pc.or_(hits, found)
    if hits is None:
        return 0
    dropped = int(pc.sum(hits).as_py() or 0)
    if dropped:
        partial = path.with_name(path.name + ".erasing")
        pq.write_table(table.filter(pc.invert(hits)), partial)
        partial.replace(path)
    return dropped


def _candidates(root: Path) -> Iterator[Path]:
    for folder, subfolders, names in os.walk(root):
        here = Path(folder)
        if here == root:
            subfolders[:] = [name for name in subfolders if name not in _SKIPPED_FOLDERS]
        if here == root / "tmp":
            subfolders[:] = [name for name in subfolders if name != UPLOADS.name]
        for name in names:
            if here == root and _OWN.match(name):
                continue
            if here == root / "tmp" and name.startswith("duckdb_temp_"):
                continue  # the engine's own spill files, freed by the engine
            yield here / name


def erase_from_files(root: Path, number: str, key: str) -> dict[str, Any]:
    """Take the person with resident ID ``number`` (normalised) and subject ``key`` out
    of the workspace's plain files: orphaned uploads are removed, lines of text files
    and rows of Parquet files that name them are dropped. Files of another kind that
    still hold them are listed in ``left`` (none are written by this package)."""
    swept = sweep_uploads(root)
    pattern = _pattern(number, key)
    rewritten: dict[str, int] = {}
    left: list[str] = []
    for path in _candidates(root):
        try:
            if path.suffix.lower() == ".parquet":
                dropped = _rewrite_parquet(path, pattern)
            elif not pattern.search(path.read_bytes()):
                continue
            elif path.suffix.lower() in _TEXT:
                dropped = _rewrite_text(path, pattern)
            else:
                left.append(str(path.relative_to(root)))
                continue
        except FileNotFoundError:
            continue
        if dropped:
            rewritten[str(path.relative_to(root))] = dropped
    return {"uploads_removed": swept, "rewritten": rewritten, "left": left}
