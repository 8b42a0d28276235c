"""The classifier: reads scikit-learn's model exactly, only speaks where a rule already did, and
can clear a rule's finding it is sure is wrong (never a link's)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from engine.classifier import MODEL_RULE, load_classifier
from engine.engine import Engine
from engine.errors import Problem, RulesError
from engine.model import Finding

REPO = Path(__file__).resolve().parents[2]

TEXTS = [
    ("dont tell your mom about us", {"secrecy"}),
    ("keep this between us ok", {"secrecy"}),
    ("our secret, delete the chat", {"secrecy"}),
    ("nobody can know, not even your dad", {"secrecy"}),
    ("delete our messages tonight", {"secrecy"}),
    ("this stays between you and me", {"secrecy"}),
    ("send me a picture of you in bed", {"sexual_content"}),
    ("show me your body on cam", {"sexual_content"}),
    ("send a pic without your top", {"sexual_content"}),
    ("turn on the cam and show me", {"sexual_content"}),
    ("a picture in your underwear", {"sexual_content"}),
    ("send me a picture and dont tell your mom", {"secrecy", "sexual_content"}),
    ("see you at school tomorrow", set()),
    ("did you finish the homework", set()),
    ("mom says dinner is at seven", set()),
    ("the picture of the cat is cute", set()),
    ("tell your dad i said hi", set()),
    ("lets keep practicing for the game", set()),
]


def test_inference_is_what_scikit_learn_computes(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from engine.training import MIN_DOCUMENTS, REGULARISATION, TrainingSet, fit, write_model

    texts = [t for t, _ in TEXTS]
    labels = [frozenset(c) for _, c in TEXTS]
    groups = [str(i % 4) for i in range(len(texts))]
    content, _quality = fit(TrainingSet(texts, labels, groups), lambda category: ["tell_family"])
    write_model(content, tmp_path / "model.json")
    classifier = load_classifier(tmp_path / "model.json")

    vectoriser = TfidfVectorizer(ngram_range=(1, 2), min_df=MIN_DOCUMENTS, sublinear_tf=True)
    matrix = vectoriser.fit_transform(texts)
    unseen = ["please dont tell your mom", "send me a picture on cam", "homework at school"]
    opinions = [classifier.opinion(text) for text in unseen]
    targets = {
        "secrecy": [("secrecy" in c) for c in labels],
        "sexual_content": [("sexual_content" in c) for c in labels],
        "any": [bool(c) for c in labels],
    }
    for name, target in targets.items():
        model = LogisticRegression(
            C=REGULARISATION, class_weight="balanced", max_iter=2000, random_state=0
        ).fit(matrix, target)
        expected = model.predict_proba(vectoriser.transform(unseen))[:, 1]
        got = [o.risk if name == "any" else o.categories[name] for o in opinions]
        assert got == pytest.approx(list(expected), abs=1e-4)


def _dev_rows() -> list[dict[str, Any]]:
    lines = (REPO / "tests" / "data" / "dev_messages.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in lines.splitlines() if line]


def _rule_findings(findings: tuple[Finding, ...]) -> set[str]:
    return {f.category for f in findings if not f.rule.startswith(MODEL_RULE)}


def test_the_model_only_adds_categories_to_messages_a_rule_flagged() -> None:
    engine = Engine.load()
    assert engine.data.classifier is not None, "the bundled model ships with the packs"
    rows = _dev_rows()
    added = 0
    for row in rows:
        findings = engine.scan(row["text"], row["direction"])
        by_rules = _rule_findings(findings)
        by_model = [f for f in findings if f.rule.startswith(MODEL_RULE)]
        if not by_rules:
            assert not by_model, row["id"]
        assert not {f.category for f in by_model} & by_rules  # never repeats a rule's category
        assert all(f.severity.label == "low" and f.advice for f in by_model)
        added += bool(by_model)
    assert added  # and it does add something somewhere


def test_a_rule_finding_the_model_rules_out_goes_unless_the_rule_is_new_to_it() -> None:
    engine = Engine.load()
    classifier = engine.data.classifier
    assert classifier is not None

    def with_veto(
        veto: float, risk_veto: float = 0.0, known: frozenset[str] = classifier.known_rules
    ) -> Engine:
        changed = dataclasses.replace(classifier, veto=veto, risk_veto=risk_veto, known_rules=known)
        return Engine(dataclasses.replace(engine.data, classifier=changed))

    text = "dont tell your mom about us, join https://t.me/+AbCdEf12345 tonight"
    rules_alone = engine.scan_uncached(text, model=False)
    assert {"secrecy", "suspicious_link"} <= {f.category for f in rules_alone}
    assert _rule_findings(with_veto(0.0).scan(text)) >= {f.category for f in rules_alone}
    for cleared in (
        with_veto(1.01).scan(text),  # a model sure that no rule's category is there
        with_veto(0.0, risk_veto=1.01).scan(text),  # a model sure that the message is harmless
    ):
        assert cleared and all(f.rule.startswith("link.") for f in cleared)
    kept = with_veto(1.01, 1.01, frozenset()).scan(text)  # ... but that has not seen these rules
    assert {f.rule for f in rules_alone} <= {f.rule for f in kept}
    # the bundled model agrees with the rules here
    assert {"secrecy", "suspicious_link"} <= _rule_findings(engine.scan(text))


def test_training_does_not_need_a_readable_old_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.engine as engine_module

    def broken(path: Path) -> None:
        raise RulesError([Problem(str(path), None, None, "bad classifier model: test")])

    monkeypatch.setattr(engine_module, "load_classifier", broken)
    with pytest.raises(RulesError):
        Engine.load()
    assert Engine.load(model=False).data.classifier is None


def test_custom_packs_run_without_the_bundled_model(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "pack: mine\nversion: 1\nrules:\n"
        "  - id: secrecy.en.ours\n    category: secrecy\n    severity: low\n"
        "    keywords: [our secret]\n",
        encoding="utf-8",
    )
    assert Engine.load([pack]).data.classifier is None  # it learnt the bundled packs only


def test_the_bundled_model_clears_look_alikes_and_keeps_risky_messages() -> None:
    """On the dev set (which it never trained on), the model takes away more false alarms than
    it takes catches: what a teen notices as fewer warnings on harmless chat."""
    engine = Engine.load()
    rows = _dev_rows()
    cleared = lost = 0
    for row in rows:
        alone = {
            f.category for f in engine.scan_uncached(row["text"], row["direction"], model=False)
        }
        with_model = {f.category for f in engine.scan(row["text"], row["direction"])}
        expected = set(row["categories"])
        cleared += bool(alone - expected) and not with_model - expected
        lost += bool(alone & expected) and not with_model & expected
    assert cleared > 2 * lost


def _model(**changes: object) -> str:
    """A well-formed empty model file with `changes` (None removes a field)."""
    fields: dict[str, object] = {
        "format": 4,
        "threshold": 0.8,
        "veto": 0.2,
        "risk_veto": 0.2,
        "vocabulary": [],
        "idf": "",
        "rules": [],
        "categories": {},
        "risk": {"intercept": 0, "weights": ""},
    }
    fields.update(changes)
    return json.dumps({k: v for k, v in fields.items() if v is not None})


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"format": 99}',
        '{"format": 3, "threshold": 0.8, "vocabulary": [], "idf": "", "categories": {}}',
        _model(vocabulary=["a"]),  # idf shorter than the vocabulary
        _model(risk=None),
        _model(risk_veto=None),
        _model(categories={"nope": {"intercept": 0, "weights": "", "advice": []}}),
        _model(vocabulary=["a"], idf="AACAPw=="),  # the risk weights are shorter
        _model(vocabulary=["a"], idf="not base64!"),
        _model(vocabulary=["a"], idf="AAA="),
        _model(vocabulary=["a"], idf=[1.5]),
    ],
)
def test_a_broken_model_file_is_named(tmp_path: Path, content: str) -> None:
    path = tmp_path / "classifier.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_classifier(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path) and "bad classifier model" in problem.message


def test_extra_examples_name_the_line_of_a_bad_one(tmp_path: Path) -> None:
    from engine.training import extra_examples

    path = tmp_path / "examples.jsonl"
    path.write_text(
        '{"text": "keep it secret", "categories": ["secrecy"]}\n'
        "\n"
        '{"text": "hi", "categories": ["gossip"]}\n'
        "not json\n"
        '{"text": "see you at school", "categories": []}\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as caught:
        extra_examples(Engine.load(), path)
    assert [(p.line, p.file) for p in caught.value.problems] == [(3, str(path)), (4, str(path))]


def test_when_the_teen_dismisses_the_rules_the_model_goes_quiet_too() -> None:
    from engine.model import Message

    engine = Engine.load()
    rows = _dev_rows()
    texts = [
        r["text"]
        for r in rows
        if any(f.rule.startswith(MODEL_RULE) for f in engine.scan(r["text"], r["direction"]))
    ]
    assert texts
    for text in texts:
        (verdict,) = engine.analyze([Message(id="1", text=text)])
        by_rules = frozenset(f.rule for f in verdict.findings if not f.rule.startswith(MODEL_RULE))
        message = Message(id="1", text=text)
        (after,) = engine.analyze([message], suppressed=lambda m, dropped=by_rules: dropped)
        assert after.findings == ()
