"""Python code-point offsets → JavaScript (UTF-16 code unit) offsets.

The extension slices `text.slice(start, end)`; every character outside the Basic Multilingual
Plane (most emoji) is one Python index but two JavaScript ones.
"""

from __future__ import annotations


def utf16_offset(text: str, index: int) -> int:
    """UTF-16 length of `text[:index]`; negative indices (span not in the text) pass through."""
    if index < 0:
        return index
    # surrogatepass: a lone surrogate sent as `\ud83d` in JSON is one code unit in JS too.
    return len(text[:index].encode("utf-16-le", "surrogatepass")) // 2
