"""The engine facade: load all rule data once, then scan messages, conversations and links.

Thread-safe: the server calls it from several worker threads. An `Engine` never changes after it is
built; reloading rules builds a new one and swaps it in.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from cachetools import LRUCache

from . import pattern_cache
from .advice import AdviceBook, load_advice
from .classifier import MODEL_RULE, Classifier, from_model, load_classifier
from .conversation import ConversationRules, ThreadStore, load_conversation_rules
from .errors import Problem, RulesError
from .fifo_lock import FifoLock
from .links import LinkAnalyzer, LinkVerdict, load_links
from .matcher import Matcher, MatchStats
from .model import Finding, Message, Severity, Verdict
from .normalize import Lexicon, load_lexicon, normalize
from .packs import Pack, load_packs
from .resources import bundled_rules_dir

#: Budget for all regexes of one message: a pathological input cannot hold a worker longer.
MESSAGE_BUDGET_SECONDS = 0.2
#: Budget for a whole `analyze` batch; past it each remaining message gets a token millisecond.
BATCH_BUDGET_SECONDS = 2.0
MIN_BUDGET_SECONDS = 0.001
CACHE_SIZE = 4096
T = TypeVar("T")


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    languages: tuple[str, ...]
    rules: int
    digest: str
    path: str

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "version": self.version,
            "languages": list(self.languages),
            "rules": self.rules,
            "digest": self.digest,
        }


@dataclass(frozen=True)
class RuleData:
    """Everything loaded from a rules root: packs plus the support data they rely on."""

    packs: tuple[Pack, ...]
    lexicon: Lexicon
    links: LinkAnalyzer
    advice: AdviceBook
    conversation: ConversationRules
    files: tuple[Path, ...]
    classifier: Classifier | None = None  # with the bundled packs only: it learnt their examples


def load_rule_data(pack_paths: Sequence[Path] | None = None, model: bool = True) -> RuleData:
    """Bundled support data plus packs from `pack_paths` (the bundled packs when None).

    Every part is loaded even when an earlier one fails, so one RulesError lists every problem.
    `model=False` leaves the classifier out (training replaces it, so it need not be readable).
    """
    root = bundled_rules_dir()
    problems: list[Problem] = []

    def attempt(load: Callable[[], T]) -> T | None:
        try:
            return load()
        except RulesError as exc:
            problems.extend(exc.problems)
            return None

    advice = attempt(lambda: load_advice(root / "advice.yaml"))
    lexicon = attempt(lambda: load_lexicon(root / "lexicon"))
    # An empty lexicon when it failed: its problems are already listed once.
    links = attempt(lambda: load_links(root / "links", lexicon or Lexicon()))
    conversation = attempt(lambda: load_conversation_rules(root / "combos.yaml"))
    paths = list(pack_paths) if pack_paths else [root / "packs"]
    packs = attempt(lambda: load_packs(paths, advice.keys() if advice else frozenset()))
    model_file = root / "model" / "classifier.json"
    classifier = (
        attempt(lambda: load_classifier(model_file))
        if model and not pack_paths and model_file.exists()
        else None
    )
    if problems:
        raise RulesError(problems)
    assert advice and lexicon and links and conversation and packs is not None
    data_suffixes = (".yaml", ".txt", ".json")
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in data_suffixes)
    files += [f for pack in packs for f in pack.files if f not in files]
    return RuleData(packs, lexicon, links, advice, conversation, tuple(files), classifier)


# `regex` lets go of the interpreter lock during every match. With several threads scanning at
# once, each of the ~10 matches per message then waits to get the lock back (a convoy that tripled
# the server's CPU per message under 8 clients); scans take turns here instead, first come first
# served so one slow batch cannot hold up other requests for more than one message's budget.
_ONE_SCAN_AT_A_TIME = FifoLock()


class Engine:
    """Scan text with every loaded rule; built once per set of rule data."""

    def __init__(self, data: RuleData) -> None:
        self.data = data
        self.matcher = Matcher([r for p in data.packs for r in p.rules], data.lexicon)
        digest = hashlib.sha256()
        for path in data.files:
            digest.update(str(path.name).encode())
            digest.update(path.read_bytes())
        self.digest = digest.hexdigest()
        self._cache: LRUCache[tuple[str, str, str], tuple[Finding, ...]] = LRUCache(CACHE_SIZE)
        self._cache_lock = threading.Lock()

    @classmethod
    def load(cls, pack_paths: Sequence[Path] | None = None, model: bool = True) -> Engine:
        engine = cls(load_rule_data(pack_paths, model))
        pattern_cache.save()  # facts learnt about new patterns make the next start-up quick
        return engine

    @property
    def packs(self) -> tuple[PackInfo, ...]:
        return tuple(
            PackInfo(p.name, p.version, p.languages, len(p.rules), p.digest, str(p.files[0]))
            for p in self.data.packs
        )

    def watched_paths(self) -> list[Path]:
        return list(self.data.files)

    def scan(
        self, text: str, direction: str = "in", budget_seconds: float = MESSAGE_BUDGET_SECONDS
    ) -> tuple[Finding, ...]:
        """Findings for one message, spans into `text`, sorted by position; cached by text.

        A scan the time budget cut short is not cached: a later call may have the time to finish.
        """
        key = (self.digest, direction, text)
        with self._cache_lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        stats = MatchStats()
        with _ONE_SCAN_AT_A_TIME:
            findings = self.scan_uncached(text, direction, stats, budget_seconds=budget_seconds)
        if not stats.timed_out:
            with self._cache_lock:
                self._cache[key] = findings
        return findings

    def scan_uncached(
        self,
        text: str,
        direction: str = "in",
        stats: MatchStats | None = None,
        prefilter: bool = True,
        budget_seconds: float = MESSAGE_BUDGET_SECONDS,
        model: bool = True,
    ) -> tuple[Finding, ...]:
        """`model=False` gives the rules' and link checks' findings alone (what rule examples test
        and what the classifier learns from)."""
        norm = normalize(text, self.data.lexicon)
        hits = self.matcher.match(norm, direction, budget_seconds, stats, prefilter)
        findings: list[Finding] = []
        for hit in hits:
            for start, end in hit.spans:
                o_start, o_end = norm.to_original(start, end)
                rule = hit.rule
                findings.append(
                    Finding(rule.id, rule.category, rule.severity, o_start, o_end, rule.advice)
                )
        classifier = self.data.classifier if model else None
        if hits and classifier is not None:
            findings = self._second_opinion(classifier, norm.text, findings, len(text))
        if direction == "in":
            links = self.data.links.findings(text, None if findings else norm.text)
            linked = {f.category for f in links}
            findings = [f for f in findings if not (from_model(f) and f.category in linked)]
            findings.extend(links)
        return tuple(sorted(set(findings), key=lambda f: (f.start, f.end, f.rule, f.category)))

    @staticmethod
    def _second_opinion(
        classifier: Classifier, normalised: str, rule_findings: list[Finding], length: int
    ) -> list[Finding]:
        """The rules' findings less those the model is sure are wrong, plus the categories it is
        sure of that no rule named (low, over the whole message), if any finding is left."""
        opinion = classifier.opinion(normalised)
        kept = [f for f in rule_findings if not classifier.vetoes(f, opinion)]
        if not kept:
            return []
        found = {f.category for f in kept}
        return kept + [
            Finding(
                f"{MODEL_RULE}{category}",
                category,
                Severity.LOW,
                0,
                length,
                classifier.models[category].advice,
            )
            for category in classifier.sure_of(opinion)
            if category not in found
        ]

    def analyze(
        self,
        messages: Sequence[Message],
        threads: ThreadStore | None = None,
        suppressed: Callable[[Message], frozenset[str]] | None = None,
        budget_seconds: float = BATCH_BUDGET_SECONDS,
    ) -> list[Verdict]:
        """Verdicts in message order; messages sharing a `thread` are read as one conversation.

        `suppressed(message)` names rules the teen marked "not a problem" for that message's
        sender or thread: they neither warn nor raise the thread's risk.
        """
        deadline = time.perf_counter() + budget_seconds
        verdicts = []
        for message in messages:
            remaining = max(deadline - time.perf_counter(), MIN_BUDGET_SECONDS)
            budget = min(MESSAGE_BUDGET_SECONDS, remaining)
            findings = list(self.scan(message.text, message.direction, budget))
            if message.direction == "in":
                findings.extend(self._listed_link_findings(message, findings))
            if suppressed is not None:
                dropped = suppressed(message)
                findings = [f for f in findings if f.rule not in dropped]
                if all(from_model(f) for f in findings):
                    findings = []  # the classifier only speaks beside a rule
            risk = None
            if message.thread is not None and threads is not None:
                risk = threads.observe(message.thread, findings, self.data.conversation, message.id)
            verdicts.append(
                Verdict(
                    id=message.id,
                    findings=tuple(findings),
                    thread=message.thread,
                    thread_risk=risk,
                    advice=_advice_keys(findings),
                )
            )
        return verdicts

    def _listed_link_findings(self, message: Message, found: list[Finding]) -> list[Finding]:
        """Links the page saw in the message (hrefs) that are not already in its text."""
        out = [
            finding
            for url in message.links
            if url not in message.text
            for finding in self.data.links.url_findings(url)
        ]
        return [f for f in dict.fromkeys(out) if f not in found]

    def check_url(self, url: str) -> LinkVerdict:
        return self.data.links.check_url(url)

    def advice(self, keys: Iterable[str], lang: str) -> list[dict[str, str]]:
        return self.data.advice.localise(keys, lang)


def _advice_keys(findings: Iterable[Finding]) -> tuple[str, ...]:
    """Advice of the most severe findings first, each key once."""
    ordered = sorted(findings, key=lambda f: -f.severity)
    return tuple(dict.fromkeys(key for f in ordered for key in f.advice))
