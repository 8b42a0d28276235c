"""Which languages a message is plainly not written in, so packs for those languages skip it.

Folded Vietnamese shares many spellings with English (`add`, `snap`, `free`, `me`), so a
Vietnamese rule can fire on an English sentence. A message whose words include several found only
in one language's common-word list, none found only in another's, and (for ruling Vietnamese
out) no Vietnamese letters or tone marks, is in that one language; the languages its chat is
known to borrow words from (`borrows` in the lexicon) are still read. Anything less clear, mixed
chat included, is read by every pack.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

_WORD = re.compile(r"[a-z]+")
_MIN_WORDS = 2  # words only one language uses, before the others are ruled out
_VIETNAMESE_LETTERS = frozenset("ăâđêôơưĂÂĐÊÔƠƯ")
_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # the five tone marks


class LanguageGuesser:
    """Built once per lexicon; `foreign(text, original)` per message."""

    def __init__(
        self,
        common_words: Mapping[str, frozenset[str]],
        borrows: Mapping[str, frozenset[str]],
    ) -> None:
        self._languages = frozenset(common_words)
        self._borrows = borrows
        self._language_of: dict[str, str] = {}
        for language, words in common_words.items():
            others = set().union(*(w for other, w in common_words.items() if other != language))
            self._language_of.update(dict.fromkeys(words - others, language))

    def foreign(self, text: str, original: str) -> frozenset[str]:
        """Languages of the word lists that `text` (normalised) is plainly not written in."""
        counts: dict[str, int] = {}
        for word in _WORD.findall(text):
            language = self._language_of.get(word)
            if language is not None:
                counts[language] = counts.get(language, 0) + 1
        if len(counts) != 1:
            return frozenset()
        ((language, count),) = counts.items()
        if count < _MIN_WORDS:
            return frozenset()
        foreign = self._languages - {language} - self._borrows.get(language, frozenset())
        if "vi" in foreign and _looks_vietnamese(original):
            foreign -= {"vi"}
        return foreign


def _looks_vietnamese(original: str) -> bool:
    if any(c in _VIETNAMESE_LETTERS for c in original):
        return True
    return any(c in _VIETNAMESE_MARKS for c in unicodedata.normalize("NFD", original))
