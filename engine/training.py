"""`notalone rules train`: fit the classifier (`engine.classifier`) on labelled examples.

Needs scikit-learn (`pip install '.[train]'`); the installed product only reads the model file.
Two sources, both in `rules/`:
- every rule's own examples: a `match` example shows its rule's category plus whatever other
  categories the rules find in it; a `no_match` example shows what the rules find in it, less
  its rule's category;
- `rules/model/examples.jsonl`: labelled messages that belong to no rule (`{"text",
  "categories", "direction"?}` per line), e.g. messages reported as missed.
The model moves with the packs: retrain after changing examples, and commit the file with them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .classifier import FORMAT, pack_floats
from .engine import Engine
from .errors import Problem, RulesError
from .model import CATEGORIES
from .normalize import normalize

# A category counts when the model is this sure. Chosen on messages the model did not train on
# (two fresh writer batches, EN and VI, each held out of training in turn, 2026-11-24): going from
# 0.8 to 0.7 added 6 right and 2 wrong categories; from 0.7 to 0.5, 7 right and 18 wrong.
THRESHOLD = 0.7
# A rule's finding is dropped when the model gives its category less than this. Chosen on the
# same kind of held-out writer batches (22 writers in 7 folds, 2026-11-24): at 0.2, 19% fewer
# benign look-alikes flagged (8.3% -> 6.7%), precision 0.858 -> 0.874, recall 0.687 -> 0.675.
VETO = 0.2
# Every rule finding is dropped when the any-category model gives the message less than this.
# Chosen by holding out the fresh writers (tests/data/fresh_messages.jsonl, 10 writers in 5 folds,
# 2026-11-25) and checked on the fresh check part: rules alone at 0.25 keep recall (0.830 -> 0.828)
# while precision rises 0.900 -> 0.916; on top of VETO (bench/eval.py, fresh check part, same
# packs), everyday messages flagged fell en 3.1% -> 1.7%, look-alikes vi 12.0% -> 6.6%.
RISK_VETO = 0.25
RISK = "any category"  # the name `train` reports the any-category model's quality under
MIN_DOCUMENTS = 2  # a word or pair seen in fewer examples is not a feature
REGULARISATION = 4.0  # scikit-learn's C


@dataclass(frozen=True)
class TrainingSet:
    texts: list[str]  # normalised
    labels: list[frozenset[str]]
    groups: list[str]  # the rule each example belongs to: cross-validation holds out whole rules


def training_set(engine: Engine) -> TrainingSet:
    texts: list[str] = []
    labels: list[frozenset[str]] = []
    groups: list[str] = []
    for pack in engine.data.packs:
        for rule in pack.rules:
            direction = "out" if rule.direction == "out" else "in"
            for examples, shows_rule in (
                (rule.match_examples, True),
                (rule.no_match_examples, False),
            ):
                for example in examples:
                    findings = engine.scan_uncached(example.text, direction, model=False)
                    found = {f.category for f in findings}
                    found = found | {rule.category} if shows_rule else found - {rule.category}
                    texts.append(normalize(example.text, engine.data.lexicon).text)
                    labels.append(frozenset(found))
                    groups.append(rule.id)
    return TrainingSet(texts, labels, groups)


def extra_examples(engine: Engine, path: Path) -> TrainingSet:
    """Labelled messages from a JSONL file; a bad line raises `RulesError` naming it."""
    texts: list[str] = []
    labels: list[frozenset[str]] = []
    problems: list[Problem] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, categories = row["text"], frozenset(row["categories"])
            if not isinstance(text, str) or not categories <= set(CATEGORIES):
                raise ValueError(f"categories must be among {', '.join(CATEGORIES)}")
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(Problem(str(path), number, None, f"bad example: {exc}"))
            continue
        texts.append(normalize(text, engine.data.lexicon).text)
        labels.append(categories)
    if problems:
        raise RulesError(problems)
    # ten messages a group: cross-validation holds out runs of neighbouring (similar) lines
    return TrainingSet(texts, labels, [f"{path.name}:{i // 10}" for i in range(len(texts))])


def train(
    engine: Engine, extra: Path | None = None
) -> tuple[dict[str, Any], dict[str, tuple[float, float]]]:
    """The model file's content, and per category the cross-validated precision/recall."""
    data = training_set(engine)
    if extra is not None and extra.exists():
        more = extra_examples(engine, extra)
        data = TrainingSet(
            data.texts + more.texts, data.labels + more.labels, data.groups + more.groups
        )
    content, quality = fit(data, lambda category: _advice_of(engine, category))
    content["about"] = (
        "Logistic models over sublinear TF-IDF word and word-pair features, trained by "
        "`notalone rules train` on the examples of the bundled packs "
        f"and rules/model/examples.jsonl ({len(data.texts)} examples); see engine/classifier.py."
    )
    content["packs"] = {p.name: p.version for p in engine.data.packs}
    content["rules"] = sorted(r.id for p in engine.data.packs for r in p.rules)
    return content, quality


def fit(
    data: TrainingSet, advice_of: Callable[[str], list[str]]
) -> tuple[dict[str, Any], dict[str, tuple[float, float]]]:
    """Fit one model per category seen in `data`; cross-validate where there is enough data.

    The cross-validation holds out whole rules (`GroupKFold`): it measures the model on families
    of phrasing it has not seen, which is what it is for.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    vectoriser = TfidfVectorizer(ngram_range=(1, 2), min_df=MIN_DOCUMENTS, sublinear_tf=True)
    matrix = vectoriser.fit_transform(data.texts)
    vocabulary = sorted(vectoriser.vocabulary_, key=vectoriser.vocabulary_.__getitem__)
    quality: dict[str, tuple[float, float]] = {}

    def linear(target: list[bool], name: str) -> dict[str, Any] | None:
        """One logistic model for `target`, cross-validated into `quality[name]` when it can be."""
        folds = min(5, len(set(data.groups)), sum(target), len(target) - sum(target))
        if folds < 1:
            return None
        model = LogisticRegression(
            C=REGULARISATION, class_weight="balanced", max_iter=2000, random_state=0
        )
        if folds >= 2:
            guessed = cross_val_predict(
                model,
                matrix,
                target,
                groups=data.groups,
                cv=GroupKFold(n_splits=folds),
                method="predict_proba",
            )
            quality[name] = _precision_recall(target, [p >= THRESHOLD for p in guessed[:, 1]])
        model.fit(matrix, target)
        return {"intercept": float(model.intercept_[0]), "weights": pack_floats(model.coef_[0])}

    categories: dict[str, Any] = {}
    for category in CATEGORIES:
        model = linear([category in labels for labels in data.labels], category)
        if model is not None:
            categories[category] = {**model, "advice": advice_of(category)}
    risk = linear([bool(labels) for labels in data.labels], RISK)
    if risk is None:
        raise RulesError(
            [Problem("rules", None, None, "training needs risky and harmless examples")]
        )
    content = {
        "format": FORMAT,
        "threshold": THRESHOLD,
        "veto": VETO,
        "risk_veto": RISK_VETO,
        "risk": risk,
        "rules": [],  # the rules whose findings it may drop: `train` names them
        "vocabulary": vocabulary,
        "idf": pack_floats(vectoriser.idf_),
        "categories": categories,
    }
    return content, quality


def write_model(content: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, ensure_ascii=False, separators=(",", ":")), "utf-8")


def _advice_of(engine: Engine, category: str) -> list[str]:
    """The advice keys the category's rules give most often (at most three)."""
    counts = Counter(
        key
        for pack in engine.data.packs
        for rule in pack.rules
        if rule.category == category
        for key in rule.advice
    )
    return [key for key, _ in counts.most_common(3)]


def _precision_recall(truth: list[bool], guess: list[bool]) -> tuple[float, float]:
    tp = sum(t and g for t, g in zip(truth, guess, strict=True))
    fp = sum(g and not t for t, g in zip(truth, guess, strict=True))
    fn = sum(t and not g for t, g in zip(truth, guess, strict=True))
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)
