"""Build limits: every cap on what reading one disclosure may cost, in one place.

A real disclosure is 15–60 pages and under 5 MB; a newsroom's may run to 300 pages. The defaults admit those
with room to spare and refuse hostile files (a page tree of 20,000 pages, a compression bomb, a page of
absurd density) with one line naming the file, the page and the limit, long before memory or time run out.
Each cap can be raised with an environment variable (`BUDGETBOT_MAX_PAGES=2000 budgetbot build`):

| cap                      | default | variable                         | bounds                                     |
|--------------------------|---------|----------------------------------|--------------------------------------------|
| `max_file_bytes`         | 100 MB  | `BUDGETBOT_MAX_FILE_MB`          | a file's size on disk (PDF or text)        |
| `max_pages`              | 1,000   | `BUDGETBOT_MAX_PAGES`            | a PDF's page count (before any page)       |
| `max_stream_bytes`       | 32 MB   | `BUDGETBOT_MAX_STREAM_MB`        | one stream decompressed (flate bombs)      |
| `max_decoded_bytes`      | 256 MB  | `BUDGETBOT_MAX_DECODED_MB`       | all streams decompressed, for one file     |
| `max_page_content_bytes` | 1 MB    | `BUDGETBOT_MAX_PAGE_CONTENT_MB`  | drawing commands run on a page (forms too) |
| `max_page_objects`       | 20,000  | `BUDGETBOT_MAX_PAGE_OBJECTS`     | chars, path pieces, images, q on a page    |
| `max_page_grid`          | 5,000   | `BUDGETBOT_MAX_PAGE_GRID`        | ruled-line crossings on a page             |
| `max_font_map_entries`   | 500,000 | `BUDGETBOT_MAX_FONT_MAP_ENTRIES` | font code→character entries, for one file  |
| `max_seconds`            | 600     | `BUDGETBOT_MAX_SECONDS`          | wall time reading one PDF (last resort)    |

Use (all take an optional `limits`, by default `Limits.from_env()`):

- `check_file(path)`: any source, before it is opened (missing, a FIFO, a symlink loop, unreadable, too big).
- `check_pdf(path)`: a PDF, before any reader opens it (pdfplumber or PDFium alike): check_file, the %PDF
  header, every Flate stream inflated against the stream caps, the page count. `budgetbot build` runs these on
  every source (bot/ingest/files.py, expand_sources).
- reading with pdfplumber, within every cap:

      with open_pdf(path) as pdf:          # refuses too many pages at once; pdf.page_count is known
          for page in iter_pages(pdf):     # a pdfplumber Page, laid out within the caps; freed after the body
              ...

Everything raises `SourceError` (one line: file, page, what was over which limit); `LimitExceeded` is the
subclass for a cap. Never use `pdf.pages`: it keeps every page's objects until the file is closed.
"""
from __future__ import annotations

import contextvars
import errno
import functools
import math
import os
import re
import stat
import time
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from .lines import SourceError

if TYPE_CHECKING:  # pdfplumber is imported on first use: it is slow to load
    import pdfplumber
    import pdfplumber.page

MB = 1 << 20
MAX_FILE_BYTES = 100 * MB
MAX_PAGES = 1000
MAX_STREAM_BYTES = 32 * MB
MAX_DECODED_BYTES = 256 * MB
MAX_PAGE_CONTENT_BYTES = 1 * MB
MAX_PAGE_OBJECTS = 20_000
MAX_PAGE_GRID = 5_000
MAX_FONT_MAP_ENTRIES = 500_000
MAX_SECONDS = 600.0

GRID_SNAP = 3  # points: rules closer than this are one rule to the table finder (its snap tolerance)
HEADER_WINDOW = 1024  # bytes: a PDF's %PDF header may follow a little junk (readers look this far)
CLOCK_EVERY = 1024  # objects or map entries between two looks at the clock

# field → (environment variable, unit of the variable in bytes, or None for a plain count/seconds)
ENV = {
    "max_file_bytes": ("BUDGETBOT_MAX_FILE_MB", MB),
    "max_pages": ("BUDGETBOT_MAX_PAGES", None),
    "max_stream_bytes": ("BUDGETBOT_MAX_STREAM_MB", MB),
    "max_decoded_bytes": ("BUDGETBOT_MAX_DECODED_MB", MB),
    "max_page_content_bytes": ("BUDGETBOT_MAX_PAGE_CONTENT_MB", MB),
    "max_page_objects": ("BUDGETBOT_MAX_PAGE_OBJECTS", None),
    "max_page_grid": ("BUDGETBOT_MAX_PAGE_GRID", None),
    "max_font_map_entries": ("BUDGETBOT_MAX_FONT_MAP_ENTRIES", None),
    "max_seconds": ("BUDGETBOT_MAX_SECONDS", None),
}


@dataclass(frozen=True)
class Limits:
    """The caps on reading one disclosure (see the module docstring for each one and its variable)."""

    max_file_bytes: int = MAX_FILE_BYTES
    max_pages: int = MAX_PAGES
    max_stream_bytes: int = MAX_STREAM_BYTES
    max_decoded_bytes: int = MAX_DECODED_BYTES
    max_page_content_bytes: int = MAX_PAGE_CONTENT_BYTES
    max_page_objects: int = MAX_PAGE_OBJECTS
    max_page_grid: int = MAX_PAGE_GRID
    max_font_map_entries: int = MAX_FONT_MAP_ENTRIES
    max_seconds: float = MAX_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, each overridden by its BUDGETBOT_MAX_… variable; SourceError names a bad value."""
        environ = os.environ if environ is None else environ
        values: dict[str, float | int] = {}
        for f in fields(cls):
            var, unit = ENV[f.name]
            raw = environ.get(var, "").strip()
            if not raw:
                continue
            try:
                number = float(raw)
            except ValueError:
                number = math.nan
            if not (number > 0 and math.isfinite(number)):
                raise SourceError(var, None, f"expected a positive number, found {raw[:40]!r}")
            values[f.name] = number if f.name == "max_seconds" else max(1, int(number * (unit or 1)))
        return cls(**values)

    def describe(self, name: str) -> str:
        """One cap as printed in a refusal: its value in the variable's unit and the variable to raise it."""
        var, unit = ENV[name]
        value = getattr(self, name)
        shown = f"{value / unit:g} MB" if unit else (f"{value:g} s" if name == "max_seconds" else f"{value:,}")
        return f"the limit of {shown} (raise {var} if the file is genuine)"


class LimitExceeded(SourceError):
    """A file over one of the build limits: names the file, the page (when known), what and which cap."""


def _refuse(path: str | Path, limits: Limits, name: str, what: str, page: int | None = None) -> LimitExceeded:
    return LimitExceeded(path, None, f"{what}, over {limits.describe(name)}", page=page)


# --- files ------------------------------------------------------------------------------------------------------

KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
         stat.S_IFBLK: "a block device", stat.S_IFDIR: "a folder"}


def why_unreadable(exc: OSError) -> str:
    """An OSError on opening a source as the short reason printed after the file name."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop (too many levels of symbolic links); expected a disclosure file"
    if exc.errno == errno.ENOENT:
        return "file not found (expected a disclosure PDF or text file)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot read the file: permission denied"
    if exc.errno == errno.ENXIO:
        return "not a regular file (a socket or a device); expected a disclosure PDF or text file"
    return f"cannot read the file: {exc.strerror or type(exc).__name__}"


def check_file(path: str | Path, limits: Limits | None = None) -> None:
    """Refuse (SourceError, one line) a source that is missing, a loop, not a readable regular file, or too big."""
    limits = limits or Limits.from_env()
    path = Path(path)
    try:  # O_NONBLOCK: opening a FIFO must not wait for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENOENT and os.path.islink(path):
            raise SourceError(path, None, "broken symbolic link (its target is missing)") from None
        raise SourceError(path, None, why_unreadable(exc)) from None
    try:
        st = os.fstat(fd)
    finally:
        os.close(fd)
    if not stat.S_ISREG(st.st_mode):
        kind = KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file")
        raise SourceError(path, None, f"{kind}, not a file; expected a disclosure PDF or text file")
    if st.st_size > limits.max_file_bytes:
        raise _refuse(path, limits, "max_file_bytes", f"file is {st.st_size / MB:.1f} MB")


# --- the budget of the file being read ----------------------------------------------------------------------------

class _Budget:
    """What reading one PDF has spent so far, against its limits; pages reset the per-page counts."""

    def __init__(self, path: str | Path, limits: Limits, whole_file: bool = True) -> None:
        self.path, self.limits, self.whole_file = path, limits, whole_file
        self.decoded = self.map_entries = 0
        self.page: int | None = None
        self.page_content = self.page_objects = 0
        self.deadline = time.monotonic() + limits.max_seconds

    def refuse(self, name: str, what: str) -> LimitExceeded:
        return _refuse(self.path, self.limits, name, what, self.page)

    def stream_room(self) -> int:
        """How many bytes the next decoded stream may have (the per-stream cap, or what is left of the total)."""
        if not self.whole_file:
            return self.limits.max_stream_bytes
        return max(0, min(self.limits.max_stream_bytes, self.limits.max_decoded_bytes - self.decoded))

    def too_big(self) -> LimitExceeded:
        if self.whole_file and self.limits.max_decoded_bytes - self.decoded < self.limits.max_stream_bytes:
            return self.refuse("max_decoded_bytes", "its streams decompress to too much in all (a compression bomb?)")
        return self.refuse("max_stream_bytes", "a stream decompresses to too much (a compression bomb?)")

    def decoded_stream(self, size: int) -> None:
        if size > self.stream_room():
            raise self.too_big()
        if self.whole_file:
            self.decoded += size

    def clock(self) -> None:
        if self.whole_file and time.monotonic() > self.deadline:
            raise self.refuse("max_seconds", "reading it takes too long")

    def content(self, size: int) -> None:
        self.page_content += size
        if self.whole_file and self.page_content > self.limits.max_page_content_bytes:
            raise self.refuse("max_page_content_bytes", "the page runs too many drawing commands")
        self.clock()

    def drawn(self) -> None:
        self.page_objects += 1
        if self.whole_file and self.page_objects > self.limits.max_page_objects:
            raise self.refuse("max_page_objects", "the page draws too many objects")
        if self.page_objects % CLOCK_EVERY == 0:
            self.clock()

    def map_entry(self) -> None:
        if not self.whole_file:
            return
        self.map_entries += 1
        if self.map_entries > self.limits.max_font_map_entries:
            raise self.refuse("max_font_map_entries", "its fonts map too many character codes")
        if self.map_entries % CLOCK_EVERY == 0:
            self.clock()

    def start_page(self, no: int | None) -> None:
        self.page, self.page_content, self.page_objects = no, 0, 0


_ACTIVE: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("budgetbot_pdf_budget", default=None)
_FALLBACK = _Budget("PDF", Limits(), whole_file=False)  # pdfminer used outside open_pdf: one stream is capped


def _budget() -> _Budget:
    return _ACTIVE.get() or _FALLBACK


# --- bounded decoders, installed into pdfminer once -------------------------------------------------------------

def _inflate(data: bytes) -> bytes:
    """zlib.decompress, but never more than the budget allows (zlib.error as zlib gives it when damaged)."""
    budget = _budget()
    room = budget.stream_room()
    d = zlib.decompressobj()
    out = d.decompress(data, room + 1)
    if len(out) > room:
        raise budget.too_big()
    if not d.eof:
        raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
    return out


def _inflate_damaged(data: bytes) -> bytes:
    """pdfminer's decompress_corrupted (a bad checksum is tolerated), bounded and in linear time."""
    budget = _budget()
    room = budget.stream_room()
    d = zlib.decompressobj()
    head, tail = data[:max(0, len(data) - 3)], data[max(0, len(data) - 3):]
    out = [d.decompress(head, room + 1)]  # an error here is before the checksum: raised, as pdfminer does
    size = len(out[0])
    if size > room:
        raise budget.too_big()
    for i in range(len(tail)):
        try:
            chunk = d.decompress(tail[i:i + 1], room + 1 - size)
        except zlib.error:
            break
        out.append(chunk)
        size += len(chunk)
    if size > room:
        raise budget.too_big()
    return b"".join(out)


class _BoundedZlib:
    """Stands in for the zlib module inside pdfminer.pdftypes: decompress is bounded, the rest is zlib's."""

    error = zlib.error
    decompress = staticmethod(_inflate)

    def __getattr__(self, name: str):
        return getattr(zlib, name)


def _lzw(data: bytes) -> bytes:
    from pdfminer.lzw import LZWDecoder

    budget = _budget()
    room, size, out = budget.stream_room(), 0, []
    for chunk in LZWDecoder(BytesIO(data)).run():
        size += len(chunk)
        if size > room:
            raise budget.too_big()
        out.append(chunk)
    return b"".join(out)


def _runlength(data: bytes) -> bytes:
    budget = _budget()
    room, out, i = budget.stream_room(), bytearray(), 0
    while i < len(data) and data[i] != 128:
        n = data[i]
        if n < 128:
            out += data[i + 1:i + 2 + n]
            i += 2 + n
        else:
            out += data[i + 1:i + 2] * (257 - n)
            i += 2
        if len(out) > room:
            raise budget.too_big()
    return bytes(out)


def _ascii85(data: bytes) -> bytes:
    from pdfminer.ascii85 import ascii85decode

    budget = _budget()
    if len(data) * 4 // 5 + 4 * data.count(b"z") > budget.stream_room():  # 'z' is four zero bytes
        raise budget.too_big()
    return ascii85decode(data)


def _ccittfax(data: bytes, params: dict) -> bytes:
    from pdfminer.ccitt import ccittfaxdecode
    from pdfminer.pdftypes import int_value

    budget = _budget()
    columns = int_value(params.get("Columns", 1728)) if params else 1728
    if (abs(columns) + 7) // 8 * max(1, len(data) * 8) > budget.stream_room():  # a row may take one bit
        raise budget.too_big()
    return ccittfaxdecode(data, params)


def _install() -> None:
    """Bound every decoder pdfminer runs on a stream, and account each decoded stream (idempotent)."""
    from pdfminer import cmapdb, pdftypes

    if getattr(pdftypes, "_budgetbot_bounded", False):
        return
    for name in ("zlib", "decompress_corrupted", "lzwdecode", "rldecode", "ascii85decode", "ccittfaxdecode"):
        assert hasattr(pdftypes, name), f"pdfminer.pdftypes.{name} moved: the build limits need updating"
    pdftypes.zlib = _BoundedZlib()
    pdftypes.decompress_corrupted = _inflate_damaged
    pdftypes.lzwdecode, pdftypes.rldecode = _lzw, _runlength
    pdftypes.ascii85decode, pdftypes.ccittfaxdecode = _ascii85, _ccittfax

    decode = pdftypes.PDFStream.decode

    def bounded_decode(self) -> None:
        decode(self)
        _budget().decoded_stream(len(self.data or b""))

    pdftypes.PDFStream.decode = bounded_decode
    for cls, method in ((cmapdb.FileUnicodeMap, "add_cid2unichr"), (cmapdb.FileCMap, "add_code2cid")):
        original = getattr(cls, method)

        def counted(self, *args, _original=original):
            _budget().map_entry()
            return _original(self, *args)

        setattr(cls, method, counted)
    pdftypes._budgetbot_bounded = True


_install()


# --- pages --------------------------------------------------------------------------------------------------------

@functools.cache
def _classes() -> tuple[type, type]:
    """The pdfplumber PDF and Page subclasses that lay pages out within the budget (pdfplumber loads slowly)."""
    import pdfplumber
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdftypes import stream_value
    from pdfplumber.page import Page, PDFPageAggregatorWithMarkedContent
    from pdfplumber.utils.exceptions import PdfminerException

    class Device(PDFPageAggregatorWithMarkedContent):
        """pdfplumber's page device, counting each object it lays out against the page's cap."""

        def tag_cur_item(self) -> None:
            super().tag_cur_item()
            _budget().drawn()

    class Interpreter(PDFPageInterpreter):
        """pdfminer's interpreter, counting the bytes of every content stream it runs (forms each time drawn),
        and each path segment and saved graphics state as an object (they cost memory before anything is drawn).
        pdfminer passes an operator as many operands as its method's signature names: keep them exact."""

        def execute(self, streams) -> None:
            budget = _budget()
            for s in streams:
                budget.content(len(stream_value(s).get_data()))
            super().execute(streams)

        def do_q(self) -> None:
            _budget().drawn()
            super().do_q()

        def do_m(self, x, y) -> None:
            _budget().drawn()
            super().do_m(x, y)

        def do_l(self, x, y) -> None:
            _budget().drawn()
            super().do_l(x, y)

        def do_c(self, x1, y1, x2, y2, x3, y3) -> None:
            _budget().drawn()
            super().do_c(x1, y1, x2, y2, x3, y3)

        def do_v(self, x2, y2, x3, y3) -> None:
            _budget().drawn()
            super().do_v(x2, y2, x3, y3)

        def do_y(self, x1, y1, x3, y3) -> None:
            _budget().drawn()
            super().do_y(x1, y1, x3, y3)

        def do_re(self, x, y, w, h) -> None:
            _budget().drawn()
            super().do_re(x, y, w, h)

    class BoundedPage(Page):
        """A pdfplumber Page laid out by the counting device; close() lets go of its decoded content too."""

        def close(self) -> None:
            super().close()
            self.page_obj = None

        @property
        def layout(self):
            if hasattr(self, "_layout"):
                return self._layout
            device = Device(self.pdf.rsrcmgr, pageno=self.page_number, laparams=self.pdf.laparams)
            try:
                Interpreter(self.pdf.rsrcmgr, device).process_page(self.page_obj)
            except (SourceError, MemoryError):
                raise
            except Exception as exc:
                raise PdfminerException(exc) from exc
            self._layout = device.get_result()
            return self._layout

    class BoundedPDF(pdfplumber.PDF):
        """A pdfplumber PDF from open_pdf: `page_count` and `limits` are set; read it with iter_pages."""

        page_count: int = 0
        limits: Limits = Limits()
        budget: _Budget | None = None

        def close(self) -> None:
            self.flush_cache()  # unlike pdfplumber's close, never walks (and so builds) every page
            for page in getattr(self, "_pages", []):
                page.close()
            if not self.stream_is_external:
                self.stream.close()

    return BoundedPDF, BoundedPage


def _unreadable(path: str | Path, exc: BaseException, page: int | None = None) -> SourceError:
    """A pdfminer/pdfplumber failure as one line (the limit it hit, encryption, or damage)."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(cause, SourceError):
        return cause
    if isinstance(cause, MemoryError):
        return LimitExceeded(path, None, "ran out of memory reading it (a hostile or broken PDF?); lower "
                             "BUDGETBOT_MAX_STREAM_MB / BUDGETBOT_MAX_PAGE_OBJECTS or give the build more memory",
                             page=page)
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return SourceError(path, None, "encrypted PDF (a password is needed to read it); expected an open "
                                       "disclosure PDF")
    return SourceError(path, None, f"damaged PDF ({type(cause).__name__}); expected a readable disclosure PDF",
                       page=page)


@contextmanager
def open_pdf(path: str | Path, limits: Limits | None = None) -> Iterator[pdfplumber.PDF]:
    """A pdfplumber PDF with decompression bounded and its pages counted; SourceError (one line) if refused.

    The PDF is a pdfplumber.PDF with `page_count` (at most limits.max_pages) and `limits`; read its pages with
    iter_pages inside the `with` block (the caps hold only there). Every failure is a SourceError: a cap
    (LimitExceeded), an encrypted or damaged file, a file that is not a PDF at all.
    """
    limits = limits or Limits.from_env()
    check_file(path, limits)
    if not is_pdf(path, by_name=False):
        raise SourceError(path, None, "not a PDF file (no %PDF header); expected a disclosure PDF or a .txt")
    cls, _ = _classes()
    budget = _Budget(path, limits)
    token = _ACTIVE.set(budget)
    try:
        try:
            pdf = cls.open(path)
        except Exception as exc:
            raise _unreadable(path, exc) from None
        try:
            pdf.limits, pdf.budget = limits, budget
            pdf.page_count = _count_pages(pdf, budget)
            yield pdf
        finally:
            pdf.close()
    finally:
        _ACTIVE.reset(token)


def _page_objects(doc) -> Iterator:
    """pdfminer's pages in order, walked lazily (a page tree is never read whole)."""
    from pdfminer.pdfpage import PDFPage

    return PDFPage.create_pages(doc)


def _count_pages(pdf, budget: _Budget) -> int:
    """The page count, walking at most max_pages + 1 pages of the page tree (nothing is laid out)."""
    try:
        count = _walk_pages(pdf.doc, budget)
    except Exception as exc:
        raise _unreadable(budget.path, exc) from None
    if count == 0:
        raise SourceError(budget.path, None, "PDF has no pages")
    return count


def _walk_pages(doc, budget: _Budget) -> int:
    count = 0
    for _ in _page_objects(doc):
        count += 1
        if count > budget.limits.max_pages:
            raise budget.refuse("max_pages", "too many pages")
        if count % CLOCK_EVERY == 0:
            budget.clock()
    return count


# --- a check before any PDF reader ----------------------------------------------------------------------------------

STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
SCAN_BITE = 4096  # bytes of a stream given to zlib at a time while checking a PDF


def is_pdf(path: str | Path, by_name: bool = True) -> bool:
    """Whether a file is to be read as a PDF: a .pdf name (by_name), or %PDF within its first 1,024 bytes."""
    if by_name and Path(path).suffix.lower() == ".pdf":
        return True
    try:
        with open(path, "rb") as fh:
            return b"%PDF" in fh.read(HEADER_WINDOW)
    except OSError:
        return False


def check_pdf(path: str | Path, limits: Limits | None = None) -> None:
    """Refuse (SourceError, one line) a PDF over the limits before any reader opens it, whichever reader it is.

    check_file, the %PDF header, every Flate stream in the file inflated against max_stream_bytes and
    max_decoded_bytes (compression bombs: PDFium and pdfminer alike would inflate them whole), and the page
    count against max_pages. A file pdfminer cannot parse is left to the reader to refuse.
    """
    limits = limits or Limits.from_env()
    check_file(path, limits)
    raw = Path(path).read_bytes()
    if b"%PDF" not in raw[:HEADER_WINDOW]:
        raise SourceError(path, None, "not a PDF file (no %PDF header); expected a disclosure PDF or a .txt")
    budget = _Budget(path, limits)
    view = memoryview(raw)
    for m in STREAM_START.finditer(raw):
        d, room, size, at = zlib.decompressobj(), budget.stream_room(), 0, m.end()
        try:
            while not d.eof and at < len(raw):  # small bites: one bite inflates to at most ~1,000 times its size
                size += len(d.decompress(view[at:at + SCAN_BITE]))
                at += SCAN_BITE
                if size > room:
                    raise budget.too_big()
        except zlib.error:
            pass  # not Flate (an image, plain text, encrypted) or damaged: what inflated still counts
        budget.decoded += size
    view.release()
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    token = _ACTIVE.set(budget)
    try:
        try:
            doc = PDFDocument(PDFParser(BytesIO(raw)))
            _walk_pages(doc, budget)
        except SourceError:
            raise
        except Exception:  # damaged or encrypted for pdfminer: the reader says what is wrong
            return
    finally:
        _ACTIVE.reset(token)


def _grid(page) -> int:
    """Crossings of the page's distinct horizontal and vertical rules: what the table finder's cost grows with."""
    rows, cols = set(), set()
    for e in page.edges:
        if e["orientation"] == "h":
            rows.add(round(e["top"] / GRID_SNAP))
        else:
            cols.add(round(e["x0"] / GRID_SNAP))
    return len(rows) * len(cols)


def _forget_decoded(doc) -> None:
    """Drop decoded streams from pdfminer's object cache (they are parsed again if a later page needs them)."""
    from pdfminer.pdftypes import PDFStream

    cache = getattr(doc, "_cached_objs", None)
    if cache:
        for objid in [k for k, (obj, _) in cache.items() if isinstance(obj, PDFStream) and obj.data is not None]:
            del cache[objid]


def iter_pages(pdf: pdfplumber.PDF, limits: Limits | None = None) -> Iterator[pdfplumber.page.Page]:
    """The PDF's pages one by one, each laid out within the caps and freed when the loop moves on.

    Each is a pdfplumber Page whose objects are already read (chars, lines, rects …); keep what you need from it,
    not the page. SourceError (one line, naming the page) when a page is over a cap or cannot be read.
    """
    budget: _Budget = pdf.budget
    if limits is not None:  # by default the limits open_pdf was given
        budget.limits = limits
    _, paged = _classes()
    doctop = 0.0
    pages = _page_objects(pdf.doc)
    for no in range(1, budget.limits.max_pages + 2):
        budget.start_page(no)
        try:
            page_obj = next(pages, None)
            if page_obj is None:
                break
            if no > budget.limits.max_pages:
                raise budget.refuse("max_pages", "too many pages")
            page = paged(pdf, page_obj, page_number=no, initial_doctop=doctop)
            del page_obj
            page.objects  # lay the page out now, within the caps
            grid = _grid(page)
            if grid > budget.limits.max_page_grid:
                raise budget.refuse("max_page_grid", f"its ruled lines cross {grid:,} times")
            budget.clock()
        except Exception as exc:
            raise _unreadable(budget.path, exc, page=no) from None
        try:
            yield page
        finally:
            doctop += page.height
            page.close()
            del page
            _forget_decoded(pdf.doc)
            budget.start_page(None)
