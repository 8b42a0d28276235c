"""The one normalised view of a message that rules match against, with a map back to the original.

Implements notes/normalization.md: eleven small steps, each taking the text plus its offsets and
returning new ones, so every span of the result can be traced to the span of the ORIGINAL text it
came from. Offsets are kept as a trail of edit records, one per step that changed lengths, rather
than one number per character: a message costs nothing to track until a step actually inserts or
deletes, and spans are only traced back when a rule fires.

Links and e-mail addresses are shielded from the leetspeak, spaced-letter, repeat and abbreviation
steps so `t.me/+AbC` or `www.x.com` stay recognisable (links are extracted from the original text
elsewhere).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple, TypeAlias

import regex

from .lexicon import Abbreviation, Lexicon, load_lexicon, surface_form

__all__ = [
    "Abbreviation",
    "Edits",
    "Lexicon",
    "NormalizedText",
    "Offsets",
    "accented_view",
    "fold_pattern",
    "load_lexicon",
    "normalize",
    "shield_links",
    "step_casefold",
    "step_collapse_repeats",
    "step_drop_apostrophes",
    "step_expand_abbreviations",
    "step_fold_diacritics",
    "step_fold_homoglyphs",
    "step_join_spaced_letters",
    "step_leetspeak",
    "step_nfkc",
    "step_squeeze_whitespace",
    "step_strip_invisible",
    "trace_back",
    "unshield_links",
]

Edit: TypeAlias = "tuple[int, int, str]"  # replace text[start:end] (start < end) with the string


class Edits(NamedTuple):
    """What one step did to the lengths: edit k turned input[in_starts[k]:in_ends[k]] into
    output[out_starts[k]:out_ends[k]]; everything between edits was copied unchanged.

    (A NamedTuple rather than a frozen dataclass: one is built per changing step per message.)
    """

    in_starts: list[int]
    in_ends: list[int]
    out_starts: list[int]
    out_ends: list[int]
    in_size: int
    out_size: int

    def source(self, position: int) -> tuple[int, int]:
        """The input span that output character `position` came from."""
        k = bisect_right(self.out_starts, position) - 1
        if k < 0:
            return position, position + 1
        if position < self.out_ends[k]:
            return self.in_starts[k], self.in_ends[k]
        shifted = self.in_ends[k] + position - self.out_ends[k]
        return shifted, shifted + 1


# Oldest first; the empty trail means "same positions as the original".
Offsets: TypeAlias = "tuple[Edits, ...]"


def trace_back(offsets: Offsets, start: int, end: int) -> tuple[int, int]:
    """Map a span of the text after `offsets` to the span of the text before them."""
    for edits in reversed(offsets):
        if start < end:
            start, end = edits.source(start)[0], edits.source(end - 1)[1]
        else:
            start = end = edits.source(start)[0] if start < edits.out_size else edits.in_size
    return start, end


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A message as rules see it (`text`) and as the teen wrote it (`original`)."""

    original: str
    text: str
    offsets: Offsets = field(default=(), repr=False, compare=False)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span [start, end) of `text` to the span of `original` it came from.

        The result covers whole original characters or tokens: the span of `khong` produced from
        `ko` maps to `ko`, the span of `telegram` from `t e l e g r a m` to all of it.
        """
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        start, end = trace_back(self.offsets, start, end)
        return min(start, len(self.original)), min(end, len(self.original))


def normalize(text: str, lexicon: Lexicon) -> NormalizedText:
    """Build the normalised view of `text` (see notes/normalization.md for the steps)."""
    quick = _quick_fold(text, lexicon)
    if quick is not None:  # steps 1-5 in one go for Latin text (with emoji and the like)
        current, offsets = quick
    else:
        current, offsets = step_nfkc(text, ())
        current, offsets = step_strip_invisible(current, offsets, lexicon)
        current, offsets = step_casefold(current, offsets)
        current, offsets = step_fold_homoglyphs(current, offsets, lexicon)
        current, offsets = step_fold_diacritics(current, offsets)
    current, shielded = shield_links(current, lexicon)
    # Steps 6-9 rarely apply; a cheap look at the text decides which are worth running, taken
    # again whenever one of them changed the text (leetspeak can create a repeat, ...).
    apostrophes, leetspeak, spaced, repeats, whitespace = _plan(current, lexicon)
    if apostrophes:
        before = current
        current, offsets = step_drop_apostrophes(current, offsets)
        if current != before:
            _, leetspeak, spaced, repeats, _ = _plan(current, lexicon)
    if leetspeak:
        before = current
        current, offsets = step_leetspeak(current, offsets, lexicon)
        if current != before:
            spaced, repeats = _plan(current, lexicon)[2:4]
    if spaced:
        before = current
        current, offsets = step_join_spaced_letters(current, offsets, lexicon)
        if current != before:
            repeats = _plan(current, lexicon)[3]
    if repeats:
        current, offsets = step_collapse_repeats(current, offsets)
    current, offsets = step_expand_abbreviations(current, offsets, lexicon, text)
    if shielded:
        current = unshield_links(current)
    if whitespace:  # steps 6-10 never add whitespace beyond single inner spaces
        current, offsets = step_squeeze_whitespace(current, offsets)
    return NormalizedText(text, current, offsets)


def accented_view(norm: NormalizedText) -> str:
    """`norm.text` with the Vietnamese accents the writer typed put back: same length, same spans.

    From "đừng kể với ai" it reads `đừng kể với ai`, from "dung ke voi ai" `dung ke voi ai`, so a
    rule can tell apart words that folding merges (kể / kệ, mày / máy) when the writer typed the
    accents. Built only when a rule asks for it (`unless_accented`).
    """
    table = _diacritic_table()
    out = []
    for position, char in enumerate(norm.text):
        start, end = trace_back(norm.offsets, position, position + 1)
        source = unicodedata.normalize("NFC", norm.original[start:end]).casefold()
        if len(source) == 1 and source != char and source.translate(table) == char:
            out.append(source)
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=32768)
def fold_pattern(pattern: str) -> str:
    """Fold a rule's regex or keyword like message text: NFKC, no diacritics, `đ` -> `d`.

    No casefold (it would turn `\\S` into `\\s`); escapes are ASCII so they pass untouched.
    Memoised: validation and the matcher fold the same patterns, and pack-wide `unless`
    patterns repeat on every rule of their pack.
    """
    folded = unicodedata.normalize("NFKC", pattern).translate(_diacritic_table())
    return str(_MARKS.sub("", folded))


# -- offset bookkeeping -------------------------------------------------------------------------


def _apply_edits(text: str, offsets: Offsets, edits: list[Edit]) -> tuple[str, Offsets]:
    """Apply sorted, non-overlapping edits; each replacement maps to the whole span it replaced."""
    if not edits:
        return text, offsets
    parts: list[str] = []
    in_starts: list[int] = []
    in_ends: list[int] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    pos = shift = 0
    for begin, end, replacement in edits:
        parts += (text[pos:begin], replacement)
        in_starts.append(begin)
        in_ends.append(end)
        out_starts.append(begin + shift)
        shift += len(replacement) - (end - begin)
        out_ends.append(end + shift)
        pos = end
    parts.append(text[pos:])
    record = Edits(in_starts, in_ends, out_starts, out_ends, len(text), len(text) + shift)
    return "".join(parts), (*offsets, record)


def _splice(text: str, replacements: list[Edit]) -> str:
    """Apply same-length replacements (offsets stay valid as they are)."""
    parts: list[str] = []
    pos = 0
    for begin, end, replacement in replacements:
        parts += (text[pos:begin], replacement)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


# -- steps 1-5: Unicode clean-up ----------------------------------------------------------------

_CLUSTER: Any = regex.compile(r"\X")
_MARKS: Any = regex.compile(r"\p{Mn}+")
_CF_CLASS = r"\p{Cf}\U000F0000-\U000F00FF"  # format characters, and our link-shield range


def _latin_fold(text: str) -> str | None:
    """Steps 1-5 minus casefold when every character is ASCII or a Latin letter with marks.

    NFD then dropping non-ASCII leaves one character per input character exactly when no
    character is invisible, a stray mark, a look-alike, a ligature or any other script; in that
    case NFKC, invisible removal and homoglyph folding have nothing to do either.
    """
    if text.isascii():
        return text
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    folded = plain.encode("ascii", "ignore")
    return folded.decode("ascii") if len(folded) == len(text) else None


_NON_LATIN = re.compile("[^\x00-\u024f\u1e00-\u1eff]")
_INERT, _INVISIBLE, _OTHER = 0, 1, 2


def _quick_fold(text: str, lexicon: Lexicon) -> tuple[str, Offsets] | None:
    """Steps 1-5 for text that is Latin apart from characters steps 1-5 keep or drop as a whole
    (emoji, symbols, zero-width joiners, variation selectors); None when the steps are needed."""
    latin = _latin_fold(text)
    if latin is not None:
        return latin.lower(), ()
    others = _NON_LATIN.findall(text)
    if not others:
        return None
    kinds = {char: _char_kind(char, lexicon) for char in set(others)}
    if _OTHER in kinds.values():
        return None
    pieces = _NON_LATIN.split(text)
    parts: list[str] = []
    deleted: list[int] = []
    pos = 0
    for piece, char in zip(pieces, others, strict=False):  # there is one more piece than others
        folded = _latin_fold(piece)
        if folded is None:
            return None
        pos += len(piece)
        parts.append(folded)
        if kinds[char] == _INERT:
            parts.append(char)
        else:
            deleted.append(pos)
        pos += 1
    folded = _latin_fold(pieces[-1])
    if folded is None:
        return None
    parts.append(folded)
    result = "".join(parts).casefold()
    if not deleted:
        return result, ()
    out_starts = [at - index for index, at in enumerate(deleted)]
    ends = [at + 1 for at in deleted]
    return result, (Edits(deleted, ends, out_starts, out_starts, len(text), len(result)),)


@lru_cache(maxsize=8192)
def _char_kind(char: str, lexicon: Lexicon) -> int:
    """Whether steps 1-5 leave a non-Latin character alone, delete it, or may change it."""
    if _compiled(lexicon).invisible.fullmatch(char):
        return _INVISIBLE
    if (
        unicodedata.is_normalized("NFKC", char)
        and unicodedata.is_normalized("NFD", char)
        and char.casefold() == char
        and unicodedata.category(char) != "Mn"
        and char not in lexicon.homoglyphs
    ):
        return _INERT
    return _OTHER


def step_nfkc(text: str, offsets: Offsets) -> tuple[str, Offsets]:
    """1. NFKC per grapheme cluster, so bold/italic "font" letters and full-width letters read as
    plain ones (they are separate code points, often used to dodge filters)."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text, offsets
    edits: list[Edit] = []
    for match in _CLUSTER.finditer(text):
        cluster = match.group()
        normal = unicodedata.normalize("NFKC", cluster)
        if normal != cluster:
            edits.append((match.start(), match.end(), normal))
    return _apply_edits(text, offsets, edits)


def step_strip_invisible(text: str, offsets: Offsets, lexicon: Lexicon) -> tuple[str, Offsets]:
    """2. Drop zero-width and other invisible characters (category Cf plus the lexicon's list)."""
    if text.isascii():
        return text, offsets
    edits = [(m.start(), m.end(), "") for m in _compiled(lexicon).invisible.finditer(text)]
    return _apply_edits(text, offsets, edits)


def step_casefold(text: str, offsets: Offsets) -> tuple[str, Offsets]:
    """3. casefold; the rare characters that grow (`ß` -> `ss`) keep pointing at their source."""
    if text.isascii():
        return text.lower(), offsets
    folded = text.casefold()
    if len(folded) == len(text):
        return folded, offsets
    edits: list[Edit] = []
    for index, char in enumerate(text):
        grown = char.casefold()
        if len(grown) != 1:
            edits.append((index, index + 1, grown))
    text, offsets = _apply_edits(text, offsets, edits)
    return text.casefold(), offsets


def step_fold_homoglyphs(text: str, offsets: Offsets, lexicon: Lexicon) -> tuple[str, Offsets]:
    """4. Cyrillic/Greek/small-capital look-alikes -> Latin, in tokens that are disguised words.

    A token is folded when it mixes look-alikes with a-z (`secret` typed with Cyrillic s, e, c),
    or consists only of look-alikes and the message is not mostly written in Cyrillic or Greek
    (so a Russian word in a Russian sentence stays Russian).
    """
    tables = _compiled(lexicon)
    if text.isascii() or tables.homoglyph_hint is None or not tables.homoglyph_hint.search(text):
        return text, offsets
    native: bool | None = None
    replacements: list[Edit] = []
    for match in tables.homoglyph_token.finditer(text):
        token = match.group()
        if not _ASCII_LETTER.search(token):
            if any(ch.isalpha() and ch not in lexicon.homoglyphs for ch in token):
                continue
            if native is None:
                foreign = len(tables.foreign_letter.findall(text))
                native = foreign > len(_ASCII_LETTER.findall(text))
            if native:
                continue
        replacements.append((match.start(), match.end(), token.translate(tables.homoglyph_table)))
    return _splice(text, replacements), offsets


def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped)


@lru_cache(maxsize=1)
def _diacritic_table() -> dict[int, str]:
    """One-to-one folds for every precomposed letter in planes 0-1: `ự` -> `u`, `đ` -> `d`.

    Built on first use (some 20 ms); only canonical decompositions matter, NFKC has already
    resolved the compatibility ones.
    """
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for code in range(0xC0, 0x20000):
        char = chr(code)
        decomposition = unicodedata.decomposition(char)
        if decomposition and not decomposition.startswith("<"):
            folded = _fold_char(char)
            if len(folded) == 1 and folded != char:
                table[code] = folded
    return table


def step_fold_diacritics(text: str, offsets: Offsets) -> tuple[str, Offsets]:
    """5. Strip all combining marks (after NFD) and fold `đ` -> `d`: `đừng nói` -> `dung noi`."""
    latin = _latin_fold(text)
    if latin is not None:
        return latin, offsets
    text = text.translate(_diacritic_table())
    edits = [(m.start(), m.end(), "") for m in _MARKS.finditer(text)]
    return _apply_edits(text, offsets, edits)


# -- link shield --------------------------------------------------------------------------------

_SHIELD = {code: chr(0xF0000 + code) for code in range(0x21, 0x7F)}
_UNSHIELD = {0xF0000 + code: chr(code) for code in range(0x21, 0x7F)}


def shield_links(text: str, lexicon: Lexicon) -> tuple[str, bool]:
    """Swap the ASCII of URLs and e-mail addresses for private-use stand-ins (same length).

    Steps 6-10 only touch letters, digits and separators, so shielded links pass untouched;
    `unshield_links` restores them. Step 2 removes any such private-use characters from the input.
    """
    tables = _compiled(lexicon)
    if not ("@" in text or "://" in text or "www" in text or tables.link_hint.search(text)):
        return text, False
    spans = [(m.start(), m.end(), m.group().translate(_SHIELD)) for m in tables.link.finditer(text)]
    return (_splice(text, spans), True) if spans else (text, False)


def unshield_links(text: str) -> str:
    return text.translate(_UNSHIELD)


# -- steps 6-11: chat spelling ------------------------------------------------------------------

_LETTER = r"[^\W\d_]"
_ASCII_LETTER = re.compile(r"[a-z]")
_APOSTROPHES = "'\u2019\u02bc`\u2018"  # ' right quote, modifier apostrophe, backtick, left quote
# Patterns start with a plain character set where possible, which `re` can skip ahead to; the
# letter tests (slow to scan for) sit in look-arounds after it.
_APOSTROPHE = re.compile(rf"[{_APOSTROPHES}](?<={_LETTER}.)(?={_LETTER})")
_CURLY_APOSTROPHE = re.compile(f"[{_APOSTROPHES[1:]}]")
# A run must not be glued to a longer word by a symbol (`ab.c.d.e`, `telegram z.a.l.o` -> two runs).
_SPACED = re.compile(
    rf"(?<!\w)(?<!\w[.\-_*])({_LETTER})( +|[.\-_*]){_LETTER}(?:\2{_LETTER})+(?!\w|[.\-_*]\w)"
)
_REPEAT = re.compile(r"(.)\1{2,}")
_WHITESPACE = re.compile(r"\s+")
_NUMBER_BEFORE = re.compile(r"\d\s*\Z")
_ODD_SPACE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in range(0x3001) if chr(c).isspace() and c != 32) + "]"
)
_BYTE_SPLIT = bytes(c if 0x61 <= c <= 0x7A or 0x30 <= c <= 0x39 else 0x20 for c in range(256))


def step_drop_apostrophes(text: str, offsets: Offsets) -> tuple[str, Offsets]:
    """6. `don't` -> `dont`, `i'm` -> `im` (curly apostrophes too): rules never spell them."""
    edits = [(m.start(), m.end(), "") for m in _APOSTROPHE.finditer(text)]
    return _apply_edits(text, offsets, edits)


def step_leetspeak(text: str, offsets: Offsets, lexicon: Lexicon) -> tuple[str, Offsets]:
    """7. `s3cr3t` -> `secret`: digits/symbols between letters inside a word.

    Tokens that start with a digit (`8h30p`, `50k`, `3tr500k`) are numbers, times or prices and
    are left alone, as are runs longer than three and anything inside a link.
    """
    tables = _compiled(lexicon)
    replacements: list[Edit] = []
    for match in tables.leet_token.finditer(text):
        token = match.group()
        if not token[0].isdigit():
            fixed = tables.leet_inner.sub(lambda m: m.group().translate(tables.leet_table), token)
            replacements.append((match.start(), match.end(), fixed))
    return _splice(text, replacements), offsets


def step_join_spaced_letters(text: str, offsets: Offsets, lexicon: Lexicon) -> tuple[str, Offsets]:
    """8. `t e l e g r a m` -> `telegram`, `z.a.l.o` -> `zalo`: 3+ single letters, one separator.

    With spaces, a run of exactly three letters that are all ordinary one-letter chat words
    (`e k j` = "em không gì") is left alone. A run glued to a longer word by a symbol
    (`ab.c.d.e`) is an abbreviation or a name, not a spelled-out word.
    """
    edits: list[Edit] = []
    for match in _SPACED.finditer(text):
        begin, end = match.span()
        sep = match.group(2)
        step = 1 + len(sep)
        letters = match.group()[::step]
        if sep[0] == " " and len(letters) == 3 and set(letters) <= lexicon.single_letter_words:
            continue
        edits.extend((pos, pos + len(sep), "") for pos in range(begin + 1, end, step))
    return _apply_edits(text, offsets, edits)


def step_collapse_repeats(text: str, offsets: Offsets) -> tuple[str, Offsets]:
    """9. `pleaseee` -> `please`, `nooo` -> `no`; doubles (`meet`, `call`) stay.

    A run that opens a word and has more letters after it is left alone: people stretch vowels
    and word endings, while `cccd` (the Vietnamese ID card) is spelled that way.
    """
    edits = [
        (m.start(), m.end(), m.group(1))
        for m in _REPEAT.finditer(text)
        if m.group(1).isalpha() and not _opens_word(text, m.start(), m.end())
    ]
    return _apply_edits(text, offsets, edits)


def _opens_word(text: str, start: int, end: int) -> bool:
    return (start == 0 or not _is_word(text[start - 1])) and end < len(text) and text[end].isalpha()


def step_expand_abbreviations(
    text: str, offsets: Offsets, lexicon: Lexicon, original: str
) -> tuple[str, Offsets]:
    """10. Whole-token chat abbreviations from the lexicon: `ko` -> `khong`, `u` -> `you`.

    `original` is the text before step 1 (what `offsets` lead back to); entries limited to exact
    spellings (`only_as`) check it, since after folding `ừ` and `kkkk` also read `u` and `k`.
    """
    tables = _compiled(lexicon)
    # The ASCII words of the text, one byte per character (anything else becomes a space), give
    # both a cheap candidate test and the candidates' positions; the exact token test follows.
    spaced = text.encode("ascii", "replace").translate(_BYTE_SPLIT)
    hits = tables.abbreviation_keys.intersection(spaced.split())
    if not hits:
        return text, offsets
    padded = b" " + spaced + b" "
    size = len(text)
    edits: list[Edit] = []
    for key in hits:
        entry = tables.abbreviations[key]
        needle = b" " + key + b" "
        begin = padded.find(needle)  # index in `padded` of the space before = index in `text`
        while begin >= 0:
            end = begin + len(key)
            at = begin
            begin = padded.find(needle, end + 1)
            if (at and _glued(text[at - 1])) or (end < size and _glued(text[end])):
                continue  # part of a longer word, or of a censored one (`d*ck`)
            if entry.not_after_number and _NUMBER_BEFORE.search(text, 0, at):
                continue
            if entry.only_as:
                first, last = trace_back(offsets, at, end)
                written = original[first:last]
                if written.isascii():
                    written = written.lower()
                else:
                    written = tables.invisible.sub("", surface_form(written))
                if written not in entry.only_as:
                    continue
            edits.append((at, end, entry.expansion))
    if len(hits) > 1:
        edits.sort()
    return _apply_edits(text, offsets, edits)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _glued(char: str) -> bool:
    """A neighbour that makes a token part of a longer word (`*` stands in for censored letters)."""
    return _is_word(char) or char == "*"


def step_squeeze_whitespace(text: str, offsets: Offsets) -> tuple[str, Offsets]:
    """11. Any whitespace run (newlines too) becomes one space; the ends are stripped."""
    if not ("  " in text or text[:1].isspace() or text[-1:].isspace() or _ODD_SPACE.search(text)):
        return text, offsets
    size = len(text)
    edits: list[Edit] = []
    for match in _WHITESPACE.finditer(text):
        begin, end = match.span()
        if begin == 0 or end == size:
            edits.append((begin, end, ""))
        elif match.group() != " ":
            edits.append((begin, end, " "))
    return _apply_edits(text, offsets, edits)


# -- which of steps 6-9 can apply ---------------------------------------------------------------


# Byte classes: a = letter (any non-ASCII counts as one), 0 = digit, 1 = leetspeak character,
# space, '.' = the other separators, ' = apostrophe, newline = other ASCII whitespace, # = rest.
# Only positive tests here: '?' may stand for a non-ASCII letter or for punctuation.
_SPACED_CLASSES = re.compile(rb"[ .]a(?: +|\.)a")
_REPEAT_BYTES = re.compile(rb"(.)\1\1")


def _plan(text: str, lexicon: Lexicon) -> tuple[bool, bool, bool, bool, bool]:
    """Could steps 6, 7, 8, 9 and 11 change `text`? Never False when a step would apply."""
    raw = text.encode("ascii", "replace")
    classes = raw.translate(_compiled(lexicon).byte_classes)
    plain = text.isascii()
    return (
        b"a'a" in classes or (not plain and _CURLY_APOSTROPHE.search(text) is not None),
        b"a1" in classes and (b"a1a" in classes or b"a11a" in classes or b"a111a" in classes),
        (b" a a" in classes or b".a." in classes or b"  a  " in classes)
        and _SPACED_CLASSES.search(classes) is not None,
        _REPEAT_BYTES.search(raw) is not None,
        b"\n" in classes
        or b"  " in classes
        or classes[:1] == b" "
        or classes[-1:] == b" "
        or (not plain and _ODD_SPACE.search(text) is not None),
    )


# -- per-lexicon compiled tables ----------------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    invisible: Any
    homoglyph_table: dict[int, str]
    homoglyph_hint: re.Pattern[str] | None
    homoglyph_token: re.Pattern[str]
    foreign_letter: Any
    leet_table: dict[int, str]
    leet_token: re.Pattern[str]
    leet_inner: re.Pattern[str]
    byte_classes: bytes
    abbreviation_keys: frozenset[bytes]
    abbreviations: dict[bytes, Abbreviation]
    link_hint: re.Pattern[str]
    link: re.Pattern[str]


def _compiled(lexicon: Lexicon) -> _Compiled:
    """Regexes and translate tables built once per lexicon and kept on it."""
    tables: _Compiled | None = lexicon.derived.get(__name__)
    if tables is None:
        tables = lexicon.derived.setdefault(__name__, _compile(lexicon))
    return tables


def _compile(lexicon: Lexicon) -> _Compiled:
    homo = _char_class(lexicon.homoglyphs) or "(?!)"
    leet = _char_class(lexicon.leetspeak) or "(?!)"
    symbols = _char_class(ch for ch in lexicon.leetspeak if not ch.isalnum())
    word = rf"[\w{symbols}]"
    return _Compiled(
        invisible=regex.compile(f"[{_CF_CLASS}{_ranges(lexicon.invisible)}]+"),
        homoglyph_table=str.maketrans(dict(lexicon.homoglyphs)),
        homoglyph_hint=re.compile(f"[{homo}]") if lexicon.homoglyphs else None,
        homoglyph_token=re.compile(rf"(?<!\w)\w*?[{homo}]\w*"),
        foreign_letter=regex.compile(rf"(?![{homo}])(?=\p{{L}})[\p{{Cyrillic}}\p{{Greek}}]"),
        leet_table=str.maketrans(dict(lexicon.leetspeak)),
        leet_token=re.compile(rf"(?<!{word}){word}*?{_LETTER}[{leet}]{{1,3}}{_LETTER}{word}*"),
        leet_inner=re.compile(rf"(?<={_LETTER})[{leet}]{{1,3}}(?={_LETTER})"),
        byte_classes=_byte_classes(lexicon),
        abbreviation_keys=frozenset(key.encode("ascii") for key in lexicon.abbreviations),
        abbreviations={key.encode("ascii"): entry for key, entry in lexicon.abbreviations.items()},
        link_hint=re.compile(rf"\.(?:(?:{_alternation(lexicon.link_tlds)})(?![\w\-])|[\w\-]+/)"),
        link=_link_pattern(lexicon.link_tlds),
    )


def _byte_classes(lexicon: Lexicon) -> bytes:
    table = bytearray(b"#" * 256)
    for code in range(256):
        char = chr(code)
        if char.isalpha() or code >= 0x80 or char == "?":  # '?' stands for any non-ASCII
            table[code] = ord("a")
        elif char.isdigit():
            table[code] = ord("0")
        elif char in " .-_*":
            table[code] = ord(char if char == " " else ".")
        elif char in _APOSTROPHES:
            table[code] = ord("'")
        elif char.isspace():
            table[code] = ord("\n")
    for char in lexicon.leetspeak:
        table[ord(char)] = ord("1")
    return bytes(table)


def _char_class(chars: Iterable[str]) -> str:
    return "".join(re.escape(ch) for ch in sorted(chars))


def _ranges(chars: Iterable[str]) -> str:
    """A compact character-class body (runs of code points as ranges) for `regex`."""
    codes = sorted(ord(ch) for ch in chars)
    parts: list[str] = []
    index = 0
    while index < len(codes):
        last = index
        while last + 1 < len(codes) and codes[last + 1] == codes[last] + 1:
            last += 1
        parts.append(f"\\U{codes[index]:08x}-\\U{codes[last]:08x}")
        index = last + 1
    return "".join(parts)


def _alternation(words: Iterable[str]) -> str:
    """Longest first, so `com` is not cut to `co`; never matches when `words` is empty."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True)) or "(?!)"


def _link_pattern(tlds: frozenset[str]) -> re.Pattern[str]:
    """URLs (scheme, www., bare host with a known ending or a path) and e-mail addresses."""
    host = r"(?<![\w@.\-])(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+"
    tail = r"[^\s<>\"']*"
    return re.compile(
        "|".join(
            [
                r"(?<![\w.+\-])[a-z][a-z0-9+.\-]*://[^\s<>\"']+",
                r"(?<![\w.\-])www\d{0,3}\.[^\s<>\"']+",
                r"(?<![\w.+\-])[\w.+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+",
                rf"{host}[a-z]{{2,}}/{tail}",
                rf"{host}(?:{_alternation(tlds)})(?![\w\-])(?:[/?#]{tail})?",
            ]
        )
    )
