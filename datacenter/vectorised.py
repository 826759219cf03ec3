"""The vectorised first pass over a UTF-8 CSV: cells in their plain form skip the SQL rules.

Most cells come in the form PostgreSQL prints back (`2024-03-01`, `350`, `12.50`, a compact credit
code with the right check character). Apache Arrow's multithreaded CSV reader parses the file in
blocks, vectorised kernels test every cell for that form, and a row whose every cell passes goes
straight to PostgreSQL as typed values, by COPY, while the next block is parsed: the worker's
process and the database's run side by side. Every other row goes, as sent, into the staging table
for the set-based SQL of `ingestion.validate_and_merge`, which alone decides what the other forms
mean and what is rejected. So a row takes this path only where the SQL would give the same values.

Arrow is an accelerator only. A file it reads differently from PostgreSQL's COPY (ragged rows, an
unterminated quote, bytes that are not UTF-8, a NUL, an overlong line...) raises `Unsupported`, and
the caller loads the file the SQL way, where PostgreSQL reports the problem in its own words.
"""

from __future__ import annotations

import contextlib
import io
import queue
import re
import tempfile
import threading
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from .choices import FALSE_WORDS, TRUE_WORDS, FieldType

# The worker's memory grows with Arrow's block, about fifty times its size (measured, reading 1M rows: 300 KB
# +17 MB, 600 KB +31 MB, 1.2 MB +59 MB, 4 MB +165 MB). Arrow refuses a row longer than the block, and such
# a rare file goes the SQL way.
BLOCK_BYTES = 512 * 1024
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array((1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28), dtype=np.int64)
# jemalloc gives freed blocks back where mimalloc (Arrow's default here) keeps them: 65 MB against 77 MB at
# the peak of a 1M-row pass, measured.
with contextlib.suppress(NotImplementedError):
    pa.set_memory_pool(pa.jemalloc_memory_pool())
_USCC_VALUE = np.full(256, -1, dtype=np.int64)
for _i, _ch in enumerate(USCC_ALPHABET):
    _USCC_VALUE[ord(_ch)] = _i
# Not plain: a cell that starts or ends with a character it is trimmed of (ingestion.CELL_TRIM), or that holds
# one PostgreSQL's text format of COPY would read otherwise (a backslash, a tab, a line break) or Arrow's
# unquoted writer refuses (a double quote). Such cells are rare, and take the SQL rules' way.
_NOT_PLAIN_TEXT = '^[ \u3000]|[ \u3000]$|[\\\\"\t\r\n]'
_INTEGER = r"^-?[1-9][0-9]{0,17}$|^0$"  # within bigint, no leading zero, no '-0': printed back as is
_DECIMAL = r"^-?(0|[1-9][0-9]{0,30})(\.[0-9]{1,30})?$"
_NEGATIVE_ZERO = r"^-0(\.0+)?$"  # numeric prints it without the sign
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class Unsupported(Exception):
    """The file is one to load the SQL way (Arrow reads it differently, or cannot read it)."""


@dataclass
class Column:
    """One schema field as the pass sees it: its position in the file and what makes its cell plain."""

    position: int
    ftype: str
    required: bool
    choices: list[str]


def uscc_plain(codes: pa.Array) -> pa.Array:
    """True where the cell is a compact, valid credit code (GB 32100-2015), as stdnum's cn.uscc says."""
    lengths = pc.binary_length(codes).to_numpy(zero_copy_only=False)
    ok = lengths == 18
    n = len(codes)
    if not ok.any():
        return pa.array(ok)
    fixed = codes.filter(pa.array(ok)) if not ok.all() else codes
    m = len(fixed)
    offsets = np.frombuffer(fixed.buffers()[1], dtype=np.int32, count=m + 1, offset=fixed.offset * 4)
    data = np.frombuffer(fixed.buffers()[2], dtype=np.uint8)
    chars = data[offsets[0] : offsets[0] + 18 * m].reshape(m, 18)
    values = _USCC_VALUE[chars]
    check = (31 - (values[:, :17] @ USCC_WEIGHTS) % 31) % 31
    valid = (values >= 0).all(axis=1) & (values[:, :8] < 10).all(axis=1) & (values[:, 17] == check)
    if m == n:
        return pa.array(valid)
    out = np.zeros(n, dtype=bool)
    out[ok] = valid
    return pa.array(out)


def plain_value(column: Column, cells: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(is the cell plain, its value as text for PostgreSQL's input function; null for an empty cell)."""
    empty = pc.equal(cells, "")
    value: pa.Array = cells
    ftype = column.ftype
    if ftype == FieldType.TEXT:
        ok = pc.invert(pc.match_substring_regex(cells, _NOT_PLAIN_TEXT))
    elif ftype == FieldType.CREDIT_CODE:
        ok = uscc_plain(cells)
    elif ftype == FieldType.INTEGER:
        ok = pc.match_substring_regex(cells, _INTEGER)
    elif ftype == FieldType.DECIMAL:
        signed_zero = pc.match_substring_regex(cells, _NEGATIVE_ZERO)
        ok = pc.and_(pc.match_substring_regex(cells, _DECIMAL), pc.invert(signed_zero))
    elif ftype == FieldType.DATE:
        shaped = pc.and_(pc.match_substring_regex(cells, _DATE), pc.invert(pc.starts_with(cells, "0000")))
        candidates = pc.if_else(shaped, cells, "2000-01-01")
        try:  # the cast refuses an impossible date (2024-02-30) for the whole block
            pc.cast(candidates, pa.date32())
            ok = shaped
        except pa.ArrowInvalid:  # then each cell: strptime rolls 2024-02-30 over to 03-01, so it must print back
            parsed = pc.strptime(candidates, format="%Y-%m-%d", unit="s", error_is_null=True)
            ok = pc.and_(shaped, pc.fill_null(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), cells), False))
    elif ftype == FieldType.BOOLEAN:
        yes = pc.is_in(cells, value_set=pa.array(TRUE_WORDS))
        ok = pc.or_(yes, pc.is_in(cells, value_set=pa.array(FALSE_WORDS)))
        value = pc.if_else(yes, "t", "f")
    elif ftype == FieldType.ENUM:
        choices = [c for c in column.choices if not re.search(_NOT_PLAIN_TEXT, c)]
        ok = pc.is_in(cells, value_set=pa.array(choices or [""], pa.string()))
    else:
        raise Unsupported(ftype)
    # An empty cell is plain where the field may be empty; the SQL names what is missing otherwise.
    ok = pc.if_else(empty, not column.required, ok)
    return ok, pc.if_else(empty, _NULL, value)


def empty_as_null(cells: pa.Array) -> pa.Array:
    """An empty cell as COPY reads an unquoted one: NULL."""
    return pc.if_else(pc.equal(cells, ""), _NULL, cells)


class _Reader:
    """The raw file after the header for Arrow, through the caller's checked source (line length, progress);
    refuses what COPY would read differently: a NUL byte."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        # The source gives small chunks; Arrow makes a batch of what one read returns, and each batch has a
        # fixed cost: fill what Arrow asks for.
        parts: list[bytes] = []
        have = 0
        while have < max(size, 1):  # Arrow always asks for a size; without one, a chunk
            chunk: bytes = self.source.read(size - have if size > 0 else -1)
            if not chunk:
                break
            if b"\x00" in chunk:
                raise Unsupported("NUL")
            parts.append(chunk)
            have += len(chunk)
        return b"".join(parts)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True


class FastRows:
    """A file object for COPY: each read() parses the next block and returns its plain rows in COPY's text
    format (`PLAIN_COPY`: ln, the fields' values, false), spooling the other rows to `slow_spool` as they were
    sent (CSV: ln, cells). Rows are numbered by their line in the file, from `first_line`. The caller closes
    the spool."""

    def __init__(self, source: Any, width: int, columns: list[Column], first_line: int) -> None:
        self.columns = columns
        self.first_line = first_line  # the line of the first row, its number (ln)
        self.width = width
        self.names = [f"c{i}" for i in range(width)]
        self.rows = 0  # read so far
        self.queue: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=3)
        self.stopped = threading.Event()
        self.done = False
        self.failure: BaseException | None = None
        self.thread: threading.Thread | None = None
        try:
            self.reader = pcsv.open_csv(
                _Reader(source),
                read_options=pcsv.ReadOptions(column_names=self.names, block_size=BLOCK_BYTES),
                parse_options=pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
                convert_options=pcsv.ConvertOptions(
                    column_types=dict.fromkeys(self.names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowException as exc:
            raise Unsupported(str(exc)) from exc
        self.slow_spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115  # closed by the caller

    def start(self) -> None:
        """Parse and split in a thread of their own, a few blocks ahead of COPY: Arrow's kernels let go of
        Python's lock, so the worker prepares the next block while PostgreSQL stores the last one."""
        self.thread = threading.Thread(target=self._produce, name="vectorised-pass", daemon=True)
        self.thread.start()

    def _produce(self) -> None:
        try:
            while not self.stopped.is_set():
                try:
                    batch = self.reader.read_next_batch()
                except StopIteration:
                    break
                except pa.ArrowException as exc:
                    raise Unsupported(str(exc)) from exc
                if batch.num_rows and (data := self._split(batch)):
                    self._put(data)
            self._put(b"")
        except BaseException as exc:  # handed to the reading side, which raises it in COPY's thread
            self._put(exc)

    def _put(self, item: bytes | BaseException) -> None:
        while not self.stopped.is_set():
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def read(self, size: int = -1) -> bytes:
        if self.done:
            return b""
        item = self.queue.get()
        if isinstance(item, BaseException):
            self.done = True
            self.failure = item  # psycopg2 may report it only as text, in its own error
            raise item
        self.done = not item
        return item

    def stop(self) -> None:
        """Ends the producing thread (COPY may have stopped reading early, on an error)."""
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()
        self.reader.close()  # its threads must not outlive it (Python aborts at exit otherwise)

    def _split(self, batch: pa.RecordBatch) -> bytes:
        n = batch.num_rows
        first = self.first_line + self.rows
        self.rows += n
        if self.width == 1 and pc.any(pc.equal(batch.column(0), "\\.")).as_py():
            raise Unsupported("end-of-data marker")  # COPY would stop reading there
        ok: pa.Array | None = None
        values = []
        for column in self.columns:
            plain, value = plain_value(column, batch.column(column.position))
            ok = plain if ok is None else pc.and_(ok, plain)
            values.append(value)
        assert ok is not None
        ln = pa.array(np.arange(first, first + n, dtype=np.int64))
        fast_count = pc.sum(ok).as_py() or 0
        if fast_count < n:
            slow = pa.RecordBatch.from_arrays(
                [ln, *(empty_as_null(c) for c in batch.columns)],
                names=["ln", *self.names],
            ).filter(pc.invert(ok))
            pcsv.write_csv(slow, self.slow_spool, write_options=_WRITE)
        if not fast_count:
            return b""
        arrays = [ln, *values, pa.array(np.zeros(n, dtype=bool))]
        fast = pa.RecordBatch.from_arrays(arrays, names=[f"x{i}" for i in range(len(arrays))])
        if fast_count < n:
            fast = fast.filter(ok)
        out = io.BytesIO()
        pcsv.write_csv(fast, out, write_options=PLAIN_WRITE)
        return out.getvalue()

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


_NULL = pa.scalar(None, pa.string())
_WRITE = pcsv.WriteOptions(include_header=False, quoting_style="needed")
# The plain rows, for COPY's text format with an empty string for NULL (`PLAIN_COPY`): no plain cell is empty
# or holds a tab, a line break, a backslash or a quote, so none needs quoting or escaping. PostgreSQL reads
# this format a fifth faster than quoted CSV (0.77 s against 1.0 s for 1M rows, measured).
PLAIN_WRITE = pcsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")
PLAIN_COPY = "FORMAT text, NULL ''"
