"""Link analysis: why a URL is risky for a teen to open, and findings for links inside a message.

Checks (each a reason id; severity, category and advice come from rules/links/checks.yaml):
known_scam, lookalike, mixed_script, userinfo, risky_download, group_invite, private_call,
free_host_lure, anonymous_host, ip_host, shortener, ip_logger, punycode. Popular hosts alone are
never a finding: t.me/someone, wa.me/<phone>, zoom.us/w/..., a bare "bit.ly" mention,
https://google.com are clean.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote

from .lexicon import Lexicon, load_lexicon
from .link_data import LinkData, load_link_data
from .link_parts import UrlParts, ip_of_host, parse_url
from .link_scripts import is_mixed_script, label_scripts
from .link_suffixes import public_suffix
from .model import Finding, Severity
from .pattern_cache import compile_pattern
from .resources import bundled_rules_dir
from .urls import LinkSpan, extract_links, might_contain_link

__all__ = [
    "LinkAnalyzer",
    "LinkReason",
    "LinkSpan",
    "LinkVerdict",
    "extract_links",
    "load_links",
]

#: How many redirect wrappers (l.facebook.com/l.php?u=...) are unwrapped inside each other.
MAX_UNWRAP = 2


@dataclass(frozen=True)
class LinkReason:
    """One reason a link is risky. `also` lists extra categories it is reported under."""

    id: str
    category: str
    severity: Severity
    advice: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()  # see link_data.Check

    @property
    def categories(self) -> tuple[str, ...]:
        return (self.category, *self.also)


@dataclass(frozen=True)
class LinkVerdict:
    """What the analyzer says about one URL (the `/v1/links` result shape)."""

    url: str
    reasons: tuple[LinkReason, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)

    @property
    def severity(self) -> Severity:
        return max((r.severity for r in self.reasons), default=Severity.NONE)

    def to_json(self) -> dict[str, object]:
        return {
            "url": self.url,
            "flagged": self.flagged,
            "severity": self.severity.label,
            "reasons": list(dict.fromkeys(r.id for r in self.reasons)),
        }


class LinkAnalyzer:
    """Checks URLs against the loaded link data; immutable, safe to share between threads."""

    def __init__(self, data: LinkData, disabled: Iterable[str] = ()) -> None:
        self.data = data
        self.disabled = frozenset(disabled)
        self.digest = data.digest
        self._reasons = {
            c.id: LinkReason(c.id, c.category, c.severity, c.advice, c.also, c.unless)
            for c in data.checks.values()
        }

    def without(self, *reason_ids: str) -> LinkAnalyzer:
        """The same analyzer with some checks switched off (benchmarks measure heuristics alone)."""
        return LinkAnalyzer(self.data, self.disabled | set(reason_ids))

    def check_url(self, url: str) -> LinkVerdict:
        ids = dict.fromkeys(r for r in self._reason_ids(url, 0) if r not in self.disabled)
        return LinkVerdict(url, tuple(self._reasons[r] for r in ids if r in self._reasons))

    def findings(self, text: str, quiet_context: str | None = None) -> list[Finding]:
        """Findings for every flagged link in `text`, spans into `text`.

        `quiet_context` is the message's normalised text when nothing else in it is risky: a
        check whose `unless` patterns match it is not reported (a teacher posting the class
        group link), while the same link with a risky request around it still is.
        """
        if not might_contain_link(text):
            return []
        out: list[Finding] = []
        for span in extract_links(text, self.data.invisible):
            out.extend(self.url_findings(span.url, span.start, span.end))
        if quiet_context is not None:
            quiet = {r.id for r in self._reasons.values() if _said_by(r, quiet_context)}
            out = [f for f in out if f.rule.removeprefix("link.") not in quiet]
        return out

    def url_findings(self, url: str, start: int = -1, end: int = -1) -> list[Finding]:
        """Findings for one URL (one per reason and category), located at `start`..`end`."""
        return [
            Finding(f"link.{reason.id}", category, reason.severity, start, end, reason.advice)
            for reason in self.check_url(url).reasons
            for category in reason.categories
        ]

    def _reason_ids(self, url: str, depth: int) -> list[str]:
        parts = parse_url(url)
        if parts is None:
            return []
        if parts.opaque:
            return self.data.shapes.reasons(parts)
        found: list[str] = []
        if self.data.known_scam.matches(parts):
            found.append("known_scam")
        found.extend(self._host_reasons(parts))
        found.extend(self.data.shapes.reasons(parts))
        if self._is_shortener(parts):
            found.append("shortener")
        if parts.has_path and self.data.ip_loggers.match_host(parts.bare_host) is not None:
            found.append("ip_logger")
        if self._is_risky_download(parts):
            found.append("risky_download")
        if depth < MAX_UNWRAP:
            for redirector in self.data.redirectors:
                target = redirector.target(parts)
                if target:
                    found.extend(self._reason_ids(target, depth + 1))
        return found

    def _host_reasons(self, parts: UrlParts) -> list[str]:
        if ip_of_host(parts.host) is not None:
            return ["ip_host", "userinfo"] if parts.userinfo else ["ip_host"]
        found = ["userinfo"] if parts.userinfo else []
        suffix = public_suffix(parts.host)
        hosting = self.data.hosting
        if suffix is not None:
            bought = not hosting.user_part(parts.host.split("."), suffix)
            cheap = hosting.is_cheap(suffix)
            if self.data.brands.is_lookalike(parts.host, suffix, bought, cheap):
                found.append("lookalike")
        if not parts.host.isascii():
            mixed = is_mixed_script(parts.host, self.data.brands.homoglyphs)
            if mixed:
                found.append("mixed_script")
            labels = [x for x in parts.host.split(".") if not x.isascii()]
            if mixed or any("LATIN" in label_scripts(x) for x in labels):
                found.append("punycode")
        elif "xn--" in parts.ascii_host:
            found.append("punycode")  # a label that would not decode
        if suffix is not None:
            found.extend(hosting.reasons(parts, suffix, self.data.brands))
        return found

    def _is_shortener(self, parts: UrlParts) -> bool:
        if not parts.has_path:
            return False
        host = parts.bare_host
        listed = self.data.shorteners.match_host(host)
        exempt = self.data.shortener_exempt
        return listed is not None and listed not in exempt and host not in exempt

    def _is_risky_download(self, parts: UrlParts) -> bool:
        risky = self.data.risky_extensions
        names = [parts.path] + [value for _, value in parse_qsl(parts.query)]
        for name in names:
            last = unquote(name).split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            if "." in last and last.rsplit(".", 1)[-1].lower() in risky:
                return True
        return False


def load_links(directory: Path, lexicon: Lexicon | None = None) -> LinkAnalyzer:
    """Load `rules/links/`; data problems raise `engine.errors.RulesError`.

    Look-alike letters and invisible characters come from `lexicon` (the normaliser's tables);
    without one, the bundled `rules/lexicon/` is read.
    """
    if lexicon is None:
        lexicon = load_lexicon(bundled_rules_dir() / "lexicon")
    return LinkAnalyzer(load_link_data(directory, lexicon))


def _said_by(reason: LinkReason, context: str) -> bool:
    try:
        return any(compile_pattern(p).search(context, timeout=0.05) for p in reason.unless)
    except TimeoutError:  # a pattern too slow to answer cannot vouch for the link
        return False
