"""A second opinion on messages the rules flagged: which other categories they also show.

A rule catches the move it was written for, but one message often makes several (a fake officer
who also orders secrecy and threatens arrest). A linear model over the message's words and word
pairs, trained on every rule's own examples (`notalone rules train`, `engine.training`), names
the categories it is sure of. The engine only asks it about messages a rule already flagged, so
it never raises an alarm on its own and everyday chat stays quiet. It can also lower one, because
a regex that fires on a look-alike ("my mum said never send photos to strangers") is the
commonest false alarm. A rule's finding is dropped when the model is sure its category is absent
(below `veto`), or when a second model, trained on every category at once, is sure the message
shows none at all (below `risk_veto`): pooling all the risky examples, it knows harmless chat
better than any one category's model. Link checks are never dropped.

The model is data (`rules/model/classifier.json`); reading it needs only the standard library.
It is read with the packs at load; its numbers are packed float32 so that costs little.
"""

from __future__ import annotations

import base64
import json
import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from .errors import Problem, RulesError
from .model import CATEGORIES, Finding

FORMAT = 4  # 3: numbers packed as float32 (`pack_floats`); 4: adds the any-category `risk` model
MODEL_RULE = "model."  # findings the model adds are "model.<category>"


def from_model(finding: Finding) -> bool:
    """Whether the classifier, not a rule or a link check, made this finding."""
    return finding.rule.startswith(MODEL_RULE)


#: Words as scikit-learn's default token pattern reads them (the trainer uses that vectoriser).
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class LinearModel:
    intercept: float
    weights: array[float]  # one float32 per vocabulary entry (4 bytes each, not a float object)

    def probability(self, features: Mapping[int, float]) -> float:
        score = self.intercept + sum(self.weights[i] * x for i, x in features.items())
        return 1.0 / (1.0 + math.exp(-score))


@dataclass(frozen=True)
class CategoryModel(LinearModel):
    advice: tuple[str, ...]  # what the teen is told when only the model names the category


@dataclass(frozen=True)
class Opinion:
    """What the model makes of one message."""

    risk: float  # probability that the message shows any category at all
    categories: Mapping[str, float]  # probability per category


@dataclass(frozen=True)
class Classifier:
    """Word and word-pair TF-IDF features, one logistic model per category and one for any."""

    vocabulary: Mapping[str, int]
    idf: array[float]  # float32, as stored
    models: Mapping[str, CategoryModel]
    risk: LinearModel  # whether the message shows any category
    threshold: float  # probability from which a category counts
    veto: float  # below this probability a rule's finding in the category is dropped
    risk_veto: float  # below this probability of any category, every rule finding is dropped
    known_rules: frozenset[str]  # rules whose examples it learnt: only their findings are dropped

    def opinion(self, text: str) -> Opinion:
        """The model's view of a NORMALISED text."""
        features = self._features(text)
        return Opinion(
            self.risk.probability(features),
            {category: m.probability(features) for category, m in self.models.items()},
        )

    def sure_of(self, opinion: Opinion) -> list[str]:
        """Categories at or above the threshold, most likely first."""
        ranked = sorted(opinion.categories.items(), key=lambda kv: -kv[1])
        return [category for category, p in ranked if p >= self.threshold]

    def vetoes(self, finding: Finding, opinion: Opinion) -> bool:
        """Whether the model is sure enough that a rule's finding is wrong. A rule added since the
        model was trained is never overruled: the model has not seen what it is for."""
        if finding.rule not in self.known_rules:
            return False
        p = opinion.categories.get(finding.category)
        return opinion.risk < self.risk_veto or (p is not None and p < self.veto)

    def _features(self, text: str) -> dict[int, float]:
        """Sublinear TF-IDF of words and word pairs, L2-normalised (as the trainer's vectoriser)."""
        tokens = _TOKEN.findall(text)
        grams = tokens + [f"{a} {b}" for a, b in pairwise(tokens)]
        counts = Counter(self.vocabulary[g] for g in grams if g in self.vocabulary)
        values = {i: (1.0 + math.log(n)) * self.idf[i] for i, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values()))
        return {i: v / norm for i, v in values.items()} if norm else {}


def pack_floats(values: Iterable[float]) -> str:
    """Numbers as base64 of little-endian float32: a sixth of the parse time of decimal lists."""
    packed = array("f", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def unpack_floats(text: str) -> array[float]:
    """The inverse of `pack_floats`; a malformed text raises ValueError."""
    raw = base64.b64decode(text, validate=True)
    if len(raw) % 4:
        raise ValueError("packed floats are not a whole number of float32")
    values = array("f", raw)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def load_classifier(path: Path) -> Classifier:
    """Read a model file; a malformed one raises `RulesError` naming the file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT:
            raise ValueError(f"format {raw.get('format')!r}, expected {FORMAT}")
        vocabulary = {gram: i for i, gram in enumerate(raw["vocabulary"])}
        idf = unpack_floats(raw["idf"])
        models = {
            category: CategoryModel(
                float(spec["intercept"]),
                unpack_floats(spec["weights"]),
                tuple(str(a) for a in spec["advice"]),
            )
            for category, spec in raw["categories"].items()
        }
        risk = LinearModel(float(raw["risk"]["intercept"]), unpack_floats(raw["risk"]["weights"]))
        threshold = float(raw["threshold"])
        veto = float(raw["veto"])
        risk_veto = float(raw["risk_veto"])
        known_rules = frozenset(str(r) for r in raw["rules"])
        unknown = sorted(set(models) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"unknown categories {unknown}")
        if len(idf) != len(vocabulary) or any(
            len(m.weights) != len(vocabulary) for m in (risk, *models.values())
        ):
            raise ValueError("vocabulary, idf and weights differ in length")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RulesError([Problem(str(path), None, None, f"bad classifier model: {exc}")]) from exc
    return Classifier(vocabulary, idf, models, risk, threshold, veto, risk_veto, known_rules)
