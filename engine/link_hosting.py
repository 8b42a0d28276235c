"""Throw-away sites: pages on free hosting or on domains that cost next to nothing, where
phishing pages are made by the thousand, and what in such a link gives the page away.

`free_host_lure`: the name a user chose on free hosting (the part before `vercel.app`, ...) is
about logins, account checks or prizes, or shows a brand; or the page's path names a brand
with a login word (`someone.github.io/facebook-login/`); or a domain on a cheap ending has a
login or prize word in its name (`appvaytiennhanh.site`).
`anonymous_host`: the page is named by a machine, not a person (an IPFS content address, a
storage bucket named by a hash, a number bought on a cheap ending: `143410.cc`), so nothing
says whose it is; plain files (photos, video) aside.
Free hosting alone, or a cheap ending alone, is never a reason: most such sites are innocent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from .link_lookalike import BrandBook, WordSpotter
from .link_parts import UrlParts
from .link_suffixes import is_private_suffix

#: IPFS content identifiers: CIDv1 in base32 (`bafy...`, as in a host label) and CIDv0 (`Qm...`).
_CID = re.compile(r"b[a-z2-7]{58,}|Qm[1-9A-HJ-NP-Za-km-z]{44}", re.IGNORECASE)
_WORDS = re.compile(r"[^\W_]+")
#: A year in a name (`tet2025`, `worldcup2026`) is a person's choice, not a machine's number.
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")
#: Path words read for a brand and a login word (`/Account/netflix/login/`); a path is rarely
#: longer, and a hostile one must not cost more.
MAX_PATH_WORDS = 32


@dataclass(frozen=True)
class Hosting:
    """What `hosting.yaml` says about free hosting and cheap domain endings."""

    free_hosts: frozenset[str]  # free hosts the Public Suffix List's private section misses
    account_hosts: frozenset[str]  # free hosts whose subdomain is an account name
    cheap_tlds: frozenset[str]
    lures: WordSpotter
    hash_name: re.Pattern[str]  # a run of hex digits long enough to be a machine's name
    number_name_digits: int  # digits that make a bought name on a cheap ending a number
    plain_files: frozenset[str]  # file extensions of pictures, sound, video and data

    def is_cheap(self, suffix: str) -> bool:
        """The domain was bought under a cheap ending (not a free host's subdomain)."""
        return suffix.rsplit(".", 1)[-1] in self.cheap_tlds and not is_private_suffix(suffix)

    def reasons(self, parts: UrlParts, suffix: str, brands: BrandBook) -> list[str]:
        """`free_host_lure` and `anonymous_host`, each at most once; `suffix` is the host's
        public suffix."""
        labels = parts.host.split(".")
        user = self.user_part(labels, suffix)
        named = len(labels) > suffix.count(".") + 1
        bought = labels[-suffix.count(".") - 2] if named and not user else ""
        cheap = bool(bought) and self.is_cheap(suffix)
        found: list[str] = []
        if (user and self._lures_on_free_host(parts, user, suffix, brands)) or (
            cheap and self._has_lure(bought, brands)
        ):
            found.append("free_host_lure")
        numbered = cheap and _digits(bought) >= self.number_name_digits
        machine_named = numbered or self._machine_named(parts, labels, user)
        if machine_named and not self._is_plain_file(parts):
            found.append("anonymous_host")
        return found

    def user_part(self, labels: list[str], suffix: str) -> list[str]:
        """The labels a user of a free host chose (`paypal-login` in paypal-login.github.io)."""
        if is_private_suffix(suffix):
            return labels[: -suffix.count(".") - 1]
        for i in range(1, len(labels) - 1):
            if ".".join(labels[i:]) in self.free_hosts:
                return labels[:i]
        return []

    def _lures_on_free_host(
        self, parts: UrlParts, user: list[str], suffix: str, brands: BrandBook
    ) -> bool:
        if any(self._has_lure(label, brands) for label in user):
            return True
        if suffix not in self.account_hosts and any(brands.names_brand(x) for x in user):
            return True
        words = _WORDS.findall(unquote(parts.path).lower())[:MAX_PATH_WORDS]
        return any(self.lures.found_in(w) for w in words) and any(
            brands.shows_brand(w) for w in words
        )

    def _has_lure(self, label: str, brands: BrandBook) -> bool:
        return any(self.lures.found_in(spelling.text) for spelling in brands.spellings(label))

    def _machine_named(self, parts: UrlParts, labels: list[str], user: list[str]) -> bool:
        if any(self.hash_name.search(label) for label in user):
            return True
        if "ipfs" in labels and any(_CID.fullmatch(label) for label in labels):
            return True
        segments = [s for s in parts.path.split("/") if s]
        return (
            len(segments) >= 2
            and segments[0].lower() in ("ipfs", "ipns")
            and bool(_CID.fullmatch(segments[1]))
        )

    def _is_plain_file(self, parts: UrlParts) -> bool:
        last = parts.path.rstrip("/").rsplit("/", 1)[-1]
        return "." in last and last.rsplit(".", 1)[-1].lower() in self.plain_files


def _digits(name: str) -> int:
    return sum(c.isdigit() for c in _YEAR.sub("", name))
