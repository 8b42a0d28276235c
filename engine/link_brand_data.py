"""Read what the look-alike check needs: `brands.yaml` (brands, their domains, lure words) and
`disguises.yaml` (digits for letters, letter pairs, plausible typos). Letters from other
alphabets that look Latin are not read here: they are the normaliser's homoglyph table
(`rules/lexicon/homoglyphs.yaml`), passed in, so there is one such table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .link_lookalike import Brand, BrandBook, Settings, Typos, WordSpotter
from .link_reader import Reader, get

BRANDS = "brands.yaml"
DISGUISES = "disguises.yaml"


def read_brand_book(
    reader: Reader, doc: object, disguises: object, homoglyphs: Mapping[str, str]
) -> BrandBook:
    lure_groups = reader.mapping(BRANDS, doc, "scam_words")
    lures = [
        w for key, group in lure_groups.items() for w in reader.strings(BRANDS, group, key, key)
    ]
    innocent = reader.strings(BRANDS, get(doc, "innocent_words"), None, "innocent_words")
    settings = _settings(reader, doc)
    leet = reader.mapping(DISGUISES, disguises, "leet")
    similar = reader.strings(DISGUISES, get(disguises, "similar"), None, "similar")
    return BrandBook(
        _brands(reader, doc),
        WordSpotter(lures, innocent, settings.substring_min),
        homoglyphs,
        {str(k): reader.strings(DISGUISES, v, str(k), "leet") for k, v in leet.items()},
        {str(k): str(v) for k, v in reader.mapping(DISGUISES, disguises, "sequences").items()},
        Typos(
            keyboard=reader.strings(DISGUISES, get(disguises, "keyboard"), None, "keyboard"),
            similar=frozenset(frozenset(pair) for pair in similar if len(pair) == 2),
        ),
        settings,
    )


def _settings(reader: Reader, doc: object) -> Settings:
    raw = reader.mapping(BRANDS, doc, "settings")
    try:
        return Settings(
            fuzzy_min=int(raw.get("fuzzy_min", 6)),
            fuzzy_indel_min=int(raw.get("fuzzy_indel_min", 7)),
            substring_min=int(raw.get("substring_min", 5)),
            embedded_tlds=reader.strings(BRANDS, raw.get("embedded_tlds"), None, "tlds"),
            dashed_tlds=reader.strings(BRANDS, raw.get("dashed_tlds"), None, "tlds"),
        )
    except (TypeError, ValueError) as exc:
        reader.problem(BRANDS, raw, None, f"bad settings: {exc}")
        return Settings()


def _brands(reader: Reader, doc: object) -> list[Brand]:
    brands = []
    owner: dict[str, str] = {}
    for bid, spec in reader.mapping(BRANDS, doc, "brands").items():
        if not isinstance(spec, dict) or not (spec.get("names") or spec.get("words")):
            reader.problem(BRANDS, spec, bid, "a brand needs `names` or `words`")
            continue
        unknown = set(spec) - {"names", "words", "domains", "strict"}
        if unknown:
            reader.problem(BRANDS, spec, bid, f"unknown fields: {', '.join(sorted(unknown))}")
        names = reader.strings(BRANDS, spec.get("names"), bid, "names")
        words = reader.strings(BRANDS, spec.get("words"), bid, "words")
        for name in (*names, *words):
            if not re.fullmatch(r"[a-z0-9]+", name):
                reader.problem(BRANDS, spec, bid, f"name {name!r}: lowercase letters/digits only")
            elif owner.setdefault(name, bid) != bid:
                reader.problem(BRANDS, spec, bid, f"name {name!r} already belongs to {owner[name]}")
        domains = reader.strings(BRANDS, spec.get("domains"), bid, "domains")
        for domain in domains:
            if not re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", domain):
                reader.problem(BRANDS, spec, bid, f"domain {domain!r}: lowercase host names only")
        if not isinstance(spec.get("strict", False), bool):
            reader.problem(BRANDS, spec, bid, "`strict` must be true or false")
        brands.append(Brand(bid, names, words, domains, strict=spec.get("strict") is True))
    return brands
