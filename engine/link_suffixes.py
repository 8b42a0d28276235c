"""Public Suffix List look-ups (registrable domain, known TLDs), offline.

The list is the copy shipped inside the `publicsuffixlist` package (updated with every release of
it); we read that file ourselves because a minimal parser loads in ~10 ms where the package's own
object takes ~60 ms. Nothing here ever touches the network.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class SuffixList:
    """The PSL rules, both ICANN and private sections (so `github.io` is a suffix)."""

    rules: frozenset[str]
    wildcards: frozenset[str]  # "*.ck" is stored as "ck"
    exceptions: frozenset[str]  # "!www.ck" is stored as "www.ck"
    tlds: frozenset[str]  # every top-level label any rule ends with
    private: frozenset[str]  # rules from the private section (free hosting, dynamic DNS, ...)
    digest: str

    def public_suffix(self, host: str) -> str | None:
        """The longest public suffix of a lowercase host, or None when its TLD is unknown."""
        labels = host.split(".")
        if labels[-1] not in self.tlds:
            return None
        for i in range(len(labels)):
            candidate = ".".join(labels[i:])
            if candidate in self.exceptions:
                return ".".join(labels[i + 1 :])
            if candidate in self.rules:
                return candidate
            parent = ".".join(labels[i + 1 :])
            if i + 1 < len(labels) and parent in self.wildcards:
                return candidate
        return labels[-1]

    def registrable_domain(self, host: str) -> str | None:
        """Suffix plus one label (`paypal-login.github.io`); None for a suffix or unknown TLD."""
        suffix = self.public_suffix(host)
        if suffix is None or suffix == host:
            return None
        head = host[: -len(suffix) - 1]
        return f"{head.rsplit('.', 1)[-1]}.{suffix}"

    def is_private_suffix(self, suffix: str) -> bool:
        """True for suffixes where anyone can get a subdomain (github.io, pages.dev, ...)."""
        return suffix in self.private


def _rules(text: str) -> list[str]:
    """Rule lines of PSL text (rules are lowercase): not blank, not `//` comments, first word."""
    lines = text.split("\n")
    rules = [line for line in lines if line and not line.startswith("//")]
    return [rule.split()[0] if not rule.isprintable() or " " in rule else rule for rule in rules]


def parse_suffix_list(text: str) -> SuffixList:
    """Parse PSL text; rules after the PRIVATE marker are remembered as private suffixes."""
    marker = text.find("BEGIN PRIVATE DOMAINS")
    icann_part, private_part = (text, "") if marker < 0 else (text[:marker], text[marker:])
    icann = _rules(icann_part)
    private = _rules(private_part)
    every = icann + private
    exceptions = frozenset(r[1:] for r in every if r.startswith("!"))
    wildcards = frozenset(r[2:] for r in every if r.startswith("*."))
    rules = frozenset(r for r in every if r[0] not in "!*")
    tlds = frozenset(r.rsplit(".", 1)[-1] for r in rules | wildcards)
    return SuffixList(
        rules=rules,
        wildcards=wildcards,
        exceptions=exceptions,
        tlds=tlds,
        private=frozenset(r[2:] if r.startswith("*.") else r for r in private if r[0] != "!"),
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


@lru_cache(maxsize=1)
def suffix_list() -> SuffixList:
    """The bundled PSL, parsed once per process."""
    spec = importlib.util.find_spec("publicsuffixlist")
    if spec is None or spec.origin is None:
        raise RuntimeError("the publicsuffixlist package is not installed")
    data = Path(spec.origin).parent / "public_suffix_list.dat"
    return parse_suffix_list(data.read_text(encoding="utf-8"))
