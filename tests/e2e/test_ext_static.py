"""Checks on the extension's files that need no browser: texts, adapters, manifest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from harness import EXTENSION_DIR, locale_messages

from engine.model import CATEGORIES
from engine.resources import bundled_rules_dir
from engine.yamlio import load_yaml

LANGS = ["en", "vi"]
SOURCES = [
    p
    for p in EXTENSION_DIR.rglob("*")
    if p.suffix in {".js", ".html"} and "_locales" not in p.parts
]
# t('key'), NA.t('key', ...), format(messages, 'key'), data-i18n="key", attr:key pairs, BADGE keys
KEY_RE = re.compile(
    r"""(?:\bt\(|format\(\w+,\s*)'([a-z][a-z0-9_]*)'|data-i18n="([a-z0-9_]+)"|key: '([a-z0-9_]+)'"""
)


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in SOURCES:
        for match in KEY_RE.finditer(path.read_text("utf-8")):
            keys.update(k for k in match.groups() if k)
    return keys


def test_both_languages_have_the_same_texts() -> None:
    en, vi = (set(locale_messages(lang)) for lang in LANGS)
    assert (en - vi, vi - en) == (set(), set())


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_the_code_asks_for_exists(lang: str) -> None:
    assert used_keys() - set(locale_messages(lang)) == set()


@pytest.mark.parametrize("lang", LANGS)
def test_categories_and_link_reasons_have_texts(lang: str) -> None:
    """Every category of the contract and every link reason the rules can give has a sentence."""
    checks = load_yaml(bundled_rules_dir() / "links" / "checks.yaml")["checks"]
    wanted = {f"cat_{c}" for c in CATEGORIES} | {f"catname_{c}" for c in CATEGORIES}
    wanted |= {f"reason_{reason}" for reason in checks}
    assert len(checks) >= 9
    assert wanted - set(locale_messages(lang)) == set()


def test_site_adapters_are_complete() -> None:
    data = json.loads((EXTENSION_DIR / "sites.json").read_text("utf-8"))
    texts = set(locale_messages("en"))
    manifest = json.loads((EXTENSION_DIR / "manifest.json").read_text("utf-8"))
    matches = " ".join(manifest["content_scripts"][0]["matches"])
    problems = []
    for site in [*data["sites"], data["generic"]]:
        for key in ("id", "message", "composer", "block_steps"):
            if not site.get(key):
                problems.append(f"{site.get('id')}: no {key}")
        problems += [
            f"{site['id']}: unknown text {k}" for k in site["block_steps"] if k not in texts
        ]
    problems += [
        f"{site['id']}: {host} not in manifest matches"
        for site in data["sites"]
        for host in site["hosts"]
        if host not in matches and host.removeprefix("www.") not in matches
    ]
    assert problems == []


def test_manifest_files_exist_and_stay_narrow() -> None:
    manifest = json.loads((EXTENSION_DIR / "manifest.json").read_text("utf-8"))
    files = [*manifest["content_scripts"][0]["js"], manifest["background"]["service_worker"]]
    files += list(manifest["icons"].values())
    files += [manifest["action"]["default_popup"], manifest["options_ui"]["page"]]
    assert [f for f in files if not (EXTENSION_DIR / f).is_file()] == []
    assert manifest["host_permissions"] == ["http://127.0.0.1/*"]
    assert "<all_urls>" not in json.dumps(manifest)
    assert "tabs" not in manifest["permissions"]


def test_no_remote_code() -> None:
    remote = re.compile(r"""(?:src|href)=["']https?://|import\s.*from\s+['"]https?://|\beval\(""")
    assert [str(p) for p in SOURCES if remote.search(p.read_text("utf-8"))] == []


def vi_texts() -> list[str]:
    return list(locale_messages("vi").values())


def test_vietnamese_speaks_to_the_teen_as_ban() -> None:
    """xưng hô "bạn": never the distant "quý khách", the blunt "mày" or a talking-down "em"."""
    bad = re.compile(r"\b(?:quý khách|mày|(?<!trẻ )em|cháu)\b", re.IGNORECASE)
    assert [t for t in vi_texts() if bad.search(t)] == []


def test_warning_sentences_are_short() -> None:
    long = {
        lang: [t for k, t in locale_messages(lang).items() if k.startswith("cat_") and len(t) > 110]
        for lang in LANGS
    }
    assert long == {"en": [], "vi": []}


def test_sources_have_no_tab_indentation() -> None:
    assert [p.name for p in SOURCES if "\t" in p.read_text("utf-8")] == []


def test_locales_are_valid_chrome_i18n() -> None:
    for lang in LANGS:
        data = json.loads(Path(EXTENSION_DIR / "_locales" / lang / "messages.json").read_text())
        assert all(re.fullmatch(r"[A-Za-z0-9_@]+", k) and "message" in v for k, v in data.items())
