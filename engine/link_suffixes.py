"""Public Suffix List look-ups (public suffixes, and which ones are free hosting) through the
`publicsuffixlist` package and the list it ships; never the network.

Two lists are built, each once and only when first asked for (answers are memoised too: the
package answers in a few microseconds, and chats repeat hosts): the whole list, and its ICANN
section alone. A suffix the whole list knows but the ICANN section does not (`github.io`,
`pages.dev`) comes from the private section: anyone can get a name under it.

Both are built with `accept_unknown=False` (an unknown TLD has no suffix, so `photo.jpg` is not a
domain) and `accept_encoded_idn=False`: hosts reach us IDNA-decoded (`engine.link_parts`), so
the punycode copy of every rule would only cost start-up time (about two thirds of it).
"""

from __future__ import annotations

from functools import lru_cache

import publicsuffixlist
from publicsuffixlist import PublicSuffixList

#: Changes with every release of the package, whose version carries the date of its list.
VERSION = publicsuffixlist.__version__


@lru_cache(maxsize=1)
def _every_suffix() -> PublicSuffixList:
    return PublicSuffixList(accept_unknown=False, accept_encoded_idn=False)


@lru_cache(maxsize=1)
def _icann_suffixes() -> PublicSuffixList:
    return PublicSuffixList(accept_unknown=False, accept_encoded_idn=False, only_icann=True)


@lru_cache(maxsize=4096)
def public_suffix(host: str) -> str | None:
    """The longest public suffix of a lowercase Unicode host (`github.io` for
    `x.github.io`), or None when its TLD is unknown."""
    return _every_suffix().publicsuffix(host)


@lru_cache(maxsize=1024)
def is_private_suffix(suffix: str) -> bool:
    """True for a public suffix from the list's private section, where anyone can get a
    subdomain (github.io, pages.dev, ...); False for ICANN ones (com, com.vn)."""
    return _icann_suffixes().publicsuffix(suffix) != suffix
