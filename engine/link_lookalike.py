"""Brand look-alike domains: `g00gle-verify.com`, `tpbank-xacthuc.com`, `paypal-login.github.io`.

A host is a look-alike when it is not under one of a brand's own domains and its labels (the part
before the public suffix, so the user's part of a free host counts) show the brand:
  - disguised: digits or other alphabets for letters, a hyphen splitting the name, one typo; or
  - next to a lure word (verify, login, xacthuc, nhanqua, ...); or
  - at all, for `strict` brands (banks, e-wallets, government), whose names no one else uses; or
  - as a whole brand domain inside the subdomains (`paypal.com.example.net`).
The brand's name alone elsewhere (`google.de`, `facebook.github.io`) is not a look-alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

_NON_LETTERS = re.compile(r"[^a-z]+")
_DIGIT_RUN = re.compile(r"(?<=[a-z])[0-9]+|[0-9]+(?=[a-z])")


@dataclass(frozen=True)
class Brand:
    id: str
    names: tuple[str, ...]  # distinctive: substring, disguise and typo matching
    words: tuple[str, ...]  # ordinary words/codes: whole token only
    domains: tuple[str, ...]
    strict: bool = False


class WordSpotter:
    """Finds listed words in a label: short words as whole tokens, longer ones anywhere (so
    `paypalsecure` and `l0ginusa` count), except inside listed innocent words (`bloginfo`)."""

    def __init__(
        self, words: Iterable[str], innocent: Iterable[str] = (), substring_min: int = 5
    ) -> None:
        unique = frozenset(words)
        self.short = frozenset(w for w in unique if len(w) < substring_min)
        self.long = _alternation(w for w in unique if len(w) >= substring_min)
        self.innocent = _alternation(innocent, overlapping=False) if innocent else None

    def found_in(self, text: str) -> bool:
        if any(t in self.short for t in _NON_LETTERS.split(text)):
            return True
        compact = _NON_LETTERS.sub("", text)
        if self.innocent is not None:
            compact = self.innocent.sub("-", compact)
        return self.long.search(compact) is not None


@dataclass(frozen=True)
class Settings:
    fuzzy_min: int = 6  # a one-letter swap/substitution counts from this length on
    fuzzy_indel_min: int = 7  # a missing or extra letter counts from this length on
    substring_min: int = 5  # names this long are also found inside longer labels
    embedded_tlds: tuple[str, ...] = ()  # "com" inside the subdomains: paypal.com.evil.example
    dashed_tlds: tuple[str, ...] = ()  # "com-" starting a later label: usps.com-track.example


@dataclass(frozen=True)
class Typos:
    """Which one-letter substitutions are plausible typos: QWERTY neighbours or look-alikes."""

    keyboard: tuple[str, ...] = ()
    similar: frozenset[frozenset[str]] = frozenset()

    def plausible(self, a: str, b: str) -> bool:
        if frozenset((a, b)) in self.similar:
            return True
        where = {c: (r, i) for r, row in enumerate(self.keyboard) for i, c in enumerate(row)}
        if a not in where or b not in where:
            return False
        (ra, ia), (rb, ib) = where[a], where[b]
        if ra == rb:
            return abs(ia - ib) == 1
        if abs(ra - rb) != 1:
            return False
        upper, lower = (ia, ib) if ra < rb else (ib, ia)
        return upper in (lower, lower + 1)


@dataclass(frozen=True)
class Spelling:
    """How a label is read: `text` after folding, `disguised` if folding changed letters."""

    text: str
    disguised: bool


class BrandBook:
    """Brands, lure words and letter tables, indexed for fast look-alike checks. `homoglyphs`
    maps letters of other alphabets to the Latin letter they look like (the lexicon's table)."""

    def __init__(
        self,
        brands: Iterable[Brand],
        lures: WordSpotter,
        homoglyphs: Mapping[str, str],
        leet: Mapping[str, tuple[str, ...]],
        sequences: Mapping[str, str],
        typos: Typos,
        settings: Settings,
    ) -> None:
        self.brands = tuple(brands)
        self.typos = typos
        self.embedded_tlds = frozenset(settings.embedded_tlds)
        self.dashed_tlds = frozenset(settings.dashed_tlds)
        fuzzy_min, substring_min = settings.fuzzy_min, settings.substring_min
        self.homoglyphs = dict(homoglyphs)
        self.leet = dict(leet)
        self.sequences = dict(sequences)
        self.fuzzy_min = fuzzy_min
        self.fuzzy_indel_min = settings.fuzzy_indel_min
        self.official = frozenset(d for b in self.brands for d in b.domains)
        self.tokens: dict[str, Brand] = {}
        for brand in self.brands:
            for name in (*brand.names, *brand.words):
                self.tokens.setdefault(name, brand)
        self.long_names = {n: b for b in self.brands for n in b.names if len(n) >= substring_min}
        self.name_finder = _alternation(self.long_names)
        self.fuzzy_names: dict[str, list[tuple[str, Brand]]] = {}
        for name, brand in self.long_names.items():
            if len(name) >= fuzzy_min:
                self.fuzzy_names.setdefault(name[0], []).append((name, brand))
        self.lures = lures

    def is_official(self, host: str) -> bool:
        """True when `host` is one of the brands' own domains or under one."""
        labels = host.split(".")
        return any(".".join(labels[i:]) in self.official for i in range(len(labels)))

    def is_lookalike(
        self, host: str, suffix: str, bought: bool = True, cheap: bool = False
    ) -> bool:
        """`host` (lowercase Unicode) imitates a brand; `suffix` is its public suffix. `bought`:
        the name before the suffix was registered (not a free-hosting subdomain); `cheap`: under
        a domain ending that costs next to nothing. A bought name showing a brand plus digits
        (amazon7088.com), or plus anything on a cheap ending (coinbase-usa.top), is a look-alike.
        """
        if self.is_official(host) or len(host) <= len(suffix) + 1:
            return False
        labels = host[: -len(suffix) - 1].split(".")
        if self._embeds_domain(labels[:-1]) or self._dashed_domain(labels):
            return True
        registered = labels[-1]
        if bought and cheap and self.names_brand(registered):
            return True
        # Digits next to an ordinary word are ordinary naming (steam250, xbox360): names only.
        digits = any(c.isdigit() for c in registered)
        if bought and digits and self.names_brand(registered, words=False):
            return True
        lure = False
        found: list[tuple[Brand, bool]] = []
        for label in labels:
            plain, *disguises = self.spellings(label)
            plain_hits = list(self._brands_in(plain))
            found.extend(plain_hits)
            seen = {brand.id for brand, _ in plain_hits}
            lure = lure or self.has_lure(plain.text)
            for spelling in disguises:
                found.extend((b, d and b.id not in seen) for b, d in self._brands_in(spelling))
                lure = lure or self.has_lure(spelling.text)
        return any(disguised or brand.strict or lure for brand, disguised in found)

    def shows_brand(self, text: str, words: bool = True) -> bool:
        """A brand's name is in `text`, plainly or disguised (spelled as in a domain label);
        with `words` off, only distinctive names count (not apple, steam, office)."""
        spellings = self.spellings(text)
        return any(True for spelling in spellings for _ in self._brands_in(spelling, words))

    def names_brand(self, label: str, words: bool = True) -> bool:
        """A brand shows in `label` and the label is more than the brand's bare name (brands own
        `google.tk` and `microsoft.github.io`; `metamask-help` is not one of theirs)."""
        bare = _fold_marks(label).replace("-", "") in self.tokens
        return not bare and self.shows_brand(label, words)

    def spellings(self, label: str) -> list[Spelling]:
        """The label read plainly (accents folded) first, then with each disguise undone."""
        plain = _fold_marks(label)
        out = [Spelling(plain, False)]
        unconfused = "".join(self.homoglyphs.get(c, c) for c in plain)
        if unconfused != plain:
            out.append(Spelling(unconfused, True))
        for variant in self._leet_variants(unconfused):
            out.append(Spelling(variant, True))
        for old, new in self.sequences.items():
            if old in unconfused:
                out.append(Spelling(unconfused.replace(old, new), True))
        return out

    def _leet_variants(self, text: str) -> Iterator[str]:
        if not any(c.isdigit() for c in text):
            return
        choices = max((len(v) for v in self.leet.values()), default=1)
        for pick in range(choices):

            def swap(match: re.Match[str], pick: int = pick) -> str:
                run = match.group(0)
                if not all(d in self.leet for d in run):
                    return run
                return "".join(self.leet[d][min(pick, len(self.leet[d]) - 1)] for d in run)

            variant = _DIGIT_RUN.sub(swap, text)
            if variant != text:
                yield variant

    def _brands_in(self, spelling: Spelling, words: bool = True) -> Iterator[tuple[Brand, bool]]:
        """Brands whose name shows in `spelling`; with `words` off, ordinary-word names (apple,
        steam) do not count."""
        text = spelling.text
        tokens = [t for t in _NON_LETTERS.split(text) if t]
        compact = "".join(tokens)
        for token in tokens:
            brand = self.tokens.get(token)
            if brand is not None and (words or token in brand.names):
                yield brand, spelling.disguised
        for match in self.name_finder.finditer(compact):
            name = match.group(1)
            # A name that only appears once hyphens or digits are dropped was split on purpose.
            yield self.long_names[name], spelling.disguised or name not in text
        if spelling.disguised:
            return
        for token in {*tokens, compact}:
            if token in self.tokens or len(token) < self.fuzzy_min - 1:
                continue
            for name, brand in self.fuzzy_names.get(token[0], ()):
                if self._one_typo(token, name):
                    yield brand, True

    def _one_typo(self, token: str, name: str) -> bool:
        if token[0] != name[0] or token == name:
            return False
        if len(token) == len(name):
            return self._one_substitution_or_swap(token, name)
        if abs(len(token) - len(name)) != 1 or token.startswith(name):
            return False  # "discords", "shopees": a name plus a letter is usually its own site
        short, long = sorted((token, name), key=len)
        i = 0
        while i < len(short) and short[i] == long[i]:
            i += 1
        if short[i:] != long[i + 1 :]:
            return False
        # A doubled letter (gooogle, faceboook) is a typo at any length; other extra or missing
        # letters only in longer names, where they cannot make another common word.
        doubled = long[i] in long[max(i - 1, 0) : i] + long[i + 1 : i + 2]
        return len(name) >= self.fuzzy_indel_min or (doubled and len(token) > len(name))

    def _one_substitution_or_swap(self, a: str, b: str) -> bool:
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return self.typos.plausible(a[diffs[0]], b[diffs[0]])
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )

    def has_lure(self, text: str) -> bool:
        """A lure word (verify, login, nhanqua, ...) in this label."""
        return self.lures.found_in(text)

    def _dashed_domain(self, labels: list[str]) -> bool:
        """A domain read across a dot and a hyphen: `usps.com-tracking.example` (a label after
        the first starts with `com-`)."""
        return any(
            label.split("-", 1)[0] in self.dashed_tlds for label in labels[1:] if "-" in label
        )

    def _embeds_domain(self, labels: list[str]) -> bool:
        """A whole domain inside the subdomains: `paypal.com.evil.example`, `x.com.vn.evil.io`."""
        if any(label in self.embedded_tlds for label in labels[1:]):
            return True
        for start in range(len(labels)):
            for end in range(start + 2, len(labels) + 1):
                if ".".join(labels[start:end]) in self.official:
                    return True
        return False


def _alternation(words: Iterable[str], overlapping: bool = True) -> re.Pattern[str]:
    """One regex finding any of `words`, longest first. With `overlapping`, matches are empty
    lookaheads and group 1 holds the word, so `finditer` reports words that overlap."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    if not ordered:
        return re.compile(r"(?!)")
    body = "|".join(re.escape(w) for w in ordered)
    return re.compile(f"(?=({body}))" if overlapping else f"(?:{body})")


def _fold_marks(label: str) -> str:
    """Vietnamese (and other) accents off, `đ` -> `d`: `việtcombank` reads as `vietcombank`."""
    decomposed = unicodedata.normalize("NFD", label.replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
