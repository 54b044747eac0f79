"""Which text encoding a file uses: byte-order marks, UTF-8, or a guess between Cyrillic and Latin.

A file that is not UTF-8 is most often Windows-1251 (Cyrillic, from the
region) or Latin-1/Windows-1252 (Western European). Both decode any bytes,
so a wrong guess garbles text silently (``Café`` → ``Cafй``). The guess here
looks at how the non-ASCII bytes sit: Cyrillic words are runs of them, while
Latin text has a lone accented letter between ASCII ones. The caller warns
which encoding was used, so a wrong guess is visible.
"""

from __future__ import annotations

import codecs

import numpy as np
import pyarrow as pa

BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
LABELS = {"cp1251": "Windows-1251 (Cyrillic)", "cp1252": "Windows-1252 (Western European)",
          "latin-1": "Latin-1 (ISO-8859-1)", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16",
          "utf-32-le": "UTF-32", "utf-32-be": "UTF-32", "utf-8": "UTF-8"}
SAMPLE = 1 << 20


def bom(data: bytes) -> tuple[str | None, int]:
    """The encoding a byte-order mark announces, and the mark's length (None, 0 without one)."""
    for mark, encoding in BOMS:
        if data.startswith(mark):
            return encoding, len(mark)
    return None, 0


def looks_utf16(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for UTF-16 text without a mark (mostly ASCII: every other byte 0)."""
    sample = np.frombuffer(data[: min(len(data), 4096) // 2 * 2], dtype=np.uint8)
    if sample.size < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if (odd == 0).mean() > 0.8 and (even != 0).mean() > 0.8:
        return "utf-16-le"
    if (even == 0).mean() > 0.8 and (odd != 0).mean() > 0.8:
        return "utf-16-be"
    return None


def is_utf8(data: bytes) -> bool:
    """True if ``data`` is valid UTF-8 (checked by Arrow in place, without decoding to a str)."""
    offsets = pa.array([0, len(data)], pa.int64()).buffers()[1]
    blob = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        blob.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def first_bad_utf8(data: bytes) -> int | None:
    """Where UTF-8 text breaks, if the file is UTF-8 but for a few bad bytes (None if it is another encoding).

    Read as Windows-1251 or -1252, such a file would garble every non-ASCII letter; it is refused instead.
    """
    sample = data[:SAMPLE]
    text = sample.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    if not bad or non_ascii - bad < 4 * bad:  # mostly not UTF-8: another encoding
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    for start in range(0, len(data), SAMPLE):
        try:
            decoder.decode(data[start:start + SAMPLE], final=start + SAMPLE >= len(data))
        except UnicodeDecodeError as exc:
            return start + exc.start
    return 0


def guess_single_byte(data: bytes) -> str:
    """'cp1251' when the non-ASCII bytes come in runs (Cyrillic words), else 'cp1252' or 'latin-1'."""
    sample = np.frombuffer(data[:SAMPLE], dtype=np.uint8)
    high = sample >= 0x80
    if not high.any():
        return "cp1252"
    neighbour = np.zeros_like(high)
    neighbour[1:] |= high[:-1]
    neighbour[:-1] |= high[1:]
    in_runs = (high & neighbour).sum() / high.sum()
    if in_runs > 0.5:
        return "cp1251"
    undefined_in_1252 = np.isin(sample, (0x81, 0x8D, 0x8F, 0x90, 0x9D)).any()
    return "latin-1" if undefined_in_1252 else "cp1252"


def detect(data: bytes) -> tuple[str, int, str | None]:
    """(encoding, bytes to skip, warning or None) for text ``data``; ``("broken-utf-8", offset, None)`` for
    UTF-8 with invalid bytes, the first at ``offset``."""
    encoding, skip = bom(data)
    if encoding:
        return encoding, skip, None
    utf16 = looks_utf16(data)
    if utf16:
        return utf16, 0, None
    if is_utf8(data):
        return "utf-8", 0, None
    broken = first_bad_utf8(data)
    if broken is not None:
        return "broken-utf-8", broken, None
    guess = guess_single_byte(data)
    return guess, 0, (f"is not UTF-8; its text was read as {LABELS[guess]}. If names look garbled, "
                      "save the file as UTF-8 and import it again")
