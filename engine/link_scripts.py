"""Which alphabets a domain label uses, to catch homograph hosts (`paypal.com` in Cyrillic).

Browsers show a Unicode host when its labels keep to one script (or an accepted mix such as Latin
with Chinese or Japanese); a label mixing Latin with Cyrillic or Greek, or an all-Cyrillic label
made only of letters that look Latin (Cyrillic "apple"), exists to be mistaken for another name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

#: Scripts that legitimately appear together (and with Latin) in East Asian names.
_EAST_ASIAN = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC"})


def label_scripts(label: str) -> frozenset[str]:
    """Scripts of the letters in `label` (digits, hyphens and marks belong to none)."""
    scripts = set()
    for char in label:
        if char.isascii():
            if char.isalpha():
                scripts.add("LATIN")
            continue
        if not char.isalpha():
            continue
        try:
            scripts.add(unicodedata.name(char).split(" ", 1)[0])
        except ValueError:
            scripts.add("UNKNOWN")
    return frozenset(scripts)


def is_mixed_script(host: str, homoglyphs: Mapping[str, str]) -> bool:
    """True when a label mixes scripts, or is non-Latin but spelled only with Latin look-alikes."""
    if host.isascii():
        return False
    labels = host.split(".")
    latin_tld = labels[-1].isascii()
    for label in labels:
        if label.isascii():
            continue
        scripts = label_scripts(label)
        others = scripts - _EAST_ASIAN
        if len(others) > 1 or (others - {"LATIN"} and scripts & _EAST_ASIAN):
            return True
        letters = [c for c in label if c.isalpha()]
        if (
            latin_tld
            and others
            and others != {"LATIN"}
            and letters
            and all(c in homoglyphs for c in letters)
        ):
            return True
    return False
