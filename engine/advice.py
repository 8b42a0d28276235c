"""Localised advice texts (the 3 Nos and 3 Musts), keyed as rules refer to them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, RulesError
from .yamlio import line_of, load_yaml

LANGUAGES = ("en", "vi")
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class AdviceText:
    title: str
    text: str


@dataclass(frozen=True)
class AdviceBook:
    texts: Mapping[str, Mapping[str, AdviceText]]  # key -> language -> text

    def keys(self) -> frozenset[str]:
        return frozenset(self.texts)

    def localise(self, keys: Iterable[str], lang: str) -> list[dict[str, str]]:
        """`[{"key", "title", "text"}]` for the known keys, in `lang` (English when unknown)."""
        lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        out = []
        for key in keys:
            entry = self.texts.get(key)
            if entry is not None:
                text = entry[lang]
                out.append({"key": key, "title": text.title, "text": text.text})
        return out


def load_advice(path: Path) -> AdviceBook:
    data = load_yaml(path)
    file = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("advice"), dict):
        raise RulesError(
            [Problem(file, line_of(data, 1), None, "expected a top-level `advice:` mapping")]
        )
    problems: list[Problem] = []
    texts: dict[str, dict[str, AdviceText]] = {}
    for key, entry in data["advice"].items():
        line = line_of(entry, line_of(data["advice"]))
        by_lang: dict[str, AdviceText] = {}
        for lang in LANGUAGES:
            item = entry.get(lang) if isinstance(entry, dict) else None
            if not isinstance(item, dict) or not all(
                isinstance(item.get(f), str) and item.get(f) for f in ("title", "text")
            ):
                problems.append(Problem(file, line, key, f"needs `{lang}: {{title, text}}`"))
                continue
            by_lang[lang] = AdviceText(item["title"].strip(), item["text"].strip())
        texts[str(key)] = by_lang
    if problems:
        raise RulesError(problems)
    return AdviceBook(texts)
