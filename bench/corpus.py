"""A reproducible synthetic chat corpus for the speed benchmarks.

Everyday teen chat in Vietnamese (with diacritics, without, and in teen abbreviations) and English,
10-200 characters a message, built from the word lists and templates in `bench/data/`; a fixed
share (2% by default) comes from a separate list of risky templates. The same seed always gives
the same messages, and every message text is distinct (so a verdict cache cannot make a pass
trivial).

    python bench/corpus.py [--messages 20000] [--seed 2024] [--jsonl]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string
import sys
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/corpus.py`

from engine.yamlio import load_yaml

DATA = Path(__file__).resolve().parent / "data" / "chat_corpus.yaml"
DEFAULT_SEED = 2024
DEFAULT_MESSAGES = 20_000
RISKY_SHARE = 0.02
MIN_CHARS, MAX_CHARS = 10, 200

# Shares of the everyday messages; risky ones follow the same language split.
LANGUAGE_WEIGHTS = {"vi": 0.55, "en": 0.45}
VI_STYLES = {"vi-diacritics": 0.45, "vi-plain": 0.30, "vi-teen": 0.25}
SENTENCES = {1: 0.6, 2: 0.3, 3: 0.1}  # sentences per everyday message
OUTGOING_SHARE = 0.15  # messages the teen sends (direction "out")
TAIL_SHARE, LINK_SHARE, TEEN_SWAP = 0.3, 0.02, 0.6

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class ChatMessage:
    text: str
    direction: str  # "in" or "out"
    lang: str  # "vi" or "en"
    style: str  # "vi-diacritics", "vi-plain", "vi-teen", "en" or "en-chat"
    risky: bool


@dataclass(frozen=True)
class Templates:
    """The data file, checked once: a bad template fails here, not mid-generation."""

    slots: Mapping[str, Mapping[str, Sequence[str]]]
    everyday: Mapping[str, Sequence[str]]
    risky: Mapping[str, Sequence[str]]
    teen: Mapping[str, Mapping[str, Sequence[str]]]
    tails: Mapping[str, Sequence[str]]
    links: Sequence[str]


def load_templates(path: Path = DATA) -> Templates:
    raw: Any = load_yaml(path)
    templates = Templates(
        slots=raw["slots"],
        everyday=raw["everyday"],
        risky=raw["risky"],
        teen={"vi": raw["teen_vi"], "en": raw["teen_en"]},
        tails=raw["tails"],
        links=raw["links"],
    )
    for lang in LANGUAGE_WEIGHTS:
        for line in [*templates.everyday[lang], *templates.risky[lang]]:
            for slot in _SLOT.findall(line):
                if slot != "code" and slot not in templates.slots[lang]:
                    raise ValueError(f"{path}: unknown slot {{{slot}}} in {line!r}")
    return templates


def strip_diacritics(text: str) -> str:
    """`đừng nói` -> `dung noi`: how much Vietnamese chat is typed."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


class CorpusBuilder:
    """Draws messages from one seeded random generator; see `generate`."""

    def __init__(self, templates: Templates, seed: int) -> None:
        self.t = templates
        self.rng = random.Random(seed)

    def pick(self, weights: Mapping[Any, float]) -> Any:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def fill(self, template: str, lang: str) -> str:
        def one(match: re.Match[str]) -> str:
            slot = match.group(1)
            if slot == "code":
                size = self.rng.randint(5, 9)
                return "".join(self.rng.choices(string.ascii_letters + string.digits, k=size))
            return self.rng.choice(self.t.slots[lang][slot])

        return _SLOT.sub(one, template)

    def respell(self, text: str, style: str) -> str:
        lang = "en" if style.startswith("en") else "vi"
        if style in ("vi-teen", "en-chat"):
            for word, spellings in self.t.teen[lang].items():
                text = re.sub(
                    rf"(?<!\w){re.escape(word)}(?!\w)",
                    lambda m, s=spellings: (  # type: ignore[misc]
                        self.rng.choice(s) if self.rng.random() < TEEN_SWAP else m.group()
                    ),
                    text,
                )
        if style == "vi-plain" or (style == "vi-teen" and self.rng.random() < 0.5):
            text = strip_diacritics(text)
        if self.rng.random() < 0.4:
            text = text[:1].upper() + text[1:]
        return text

    def sentence_count(self) -> int:
        return int(self.pick(SENTENCES))

    def message(self, risky: bool) -> ChatMessage:
        lang = self.pick(LANGUAGE_WEIGHTS)
        style = self.pick(VI_STYLES) if lang == "vi" else self.pick({"en": 0.6, "en-chat": 0.4})
        parts = []
        if risky:
            parts.append(self.fill(self.rng.choice(self.t.risky[lang]), lang))
            if self.rng.random() < 0.3:
                parts.insert(0, self.fill(self.rng.choice(self.t.everyday[lang]), lang))
        else:
            for _ in range(self.sentence_count()):
                parts.append(self.fill(self.rng.choice(self.t.everyday[lang]), lang))
            if self.rng.random() < LINK_SHARE:
                parts.append(self.fill(self.rng.choice(self.t.links), lang))
        text = self.respell(self.rng.choice([", ", ". ", " "]).join(parts), style)
        if self.rng.random() < TAIL_SHARE:
            text += " " + self.rng.choice(self.t.tails[lang])
        direction = "out" if not risky and self.rng.random() < OUTGOING_SHARE else "in"
        return ChatMessage(text, direction, lang, style, risky)


def generate(
    count: int = DEFAULT_MESSAGES,
    seed: int = DEFAULT_SEED,
    risky_share: float = RISKY_SHARE,
    templates: Templates | None = None,
) -> list[ChatMessage]:
    """`count` distinct messages, exactly round(count * risky_share) of them risky."""
    builder = CorpusBuilder(templates or load_templates(), seed)
    risky_at = set(builder.rng.sample(range(count), round(count * risky_share)))
    seen: set[str] = set()
    out: list[ChatMessage] = []
    for index in range(count):
        for _attempt in range(1000):
            message = builder.message(index in risky_at)
            if MIN_CHARS <= len(message.text) <= MAX_CHARS and message.text not in seen:
                break
        else:
            raise RuntimeError("the templates cannot give that many distinct messages")
        seen.add(message.text)
        out.append(message)
    return out


def describe(messages: Sequence[ChatMessage]) -> dict[str, Any]:
    """Corpus facts every benchmark prints next to its figures."""
    sizes = [len(m.text.encode("utf-8")) for m in messages]
    return {
        "messages": len(messages),
        "bytes": sum(sizes),
        "mean_chars": round(sum(len(m.text) for m in messages) / max(len(messages), 1), 1),
        "risky": sum(m.risky for m in messages),
        "outgoing": sum(m.direction == "out" for m in messages),
        "styles": dict(sorted(Counter(m.style for m in messages).items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=DEFAULT_MESSAGES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--jsonl", action="store_true", help="print the messages, one per line")
    args = parser.parse_args(argv)
    messages = generate(args.messages, args.seed)
    if args.jsonl:
        for i, m in enumerate(messages, 1):
            line = {"id": str(i), "text": m.text, "direction": m.direction, "risky": m.risky}
            print(json.dumps(line, ensure_ascii=False))
    else:
        print(json.dumps(describe(messages), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
