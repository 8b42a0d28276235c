"""The `notalone` command line: scan, rules test|lint, and the server commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from engine.checks import lint, test_examples
from engine.conversation import ThreadStore
from engine.engine import Engine
from engine.errors import Problem, RulesError
from engine.resources import bundled_rules_dir
from engine.training import train, write_model

from .commands import add_server_commands
from .scan import InputError, read_messages, scan_stream, write_jsonl, write_text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="notalone", description="On-device guard against grooming and scams aimed at teens."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    scan = commands.add_parser("scan", help="scan messages from files or stdin")
    scan.add_argument("files", nargs="*", type=Path, help="input files (stdin when none)")
    scan.add_argument("--format", choices=("text", "jsonl"), default="text")
    scan.add_argument("--rules", nargs="+", type=Path, metavar="DIR", help="pack dirs or files")
    scan.set_defaults(func=_scan)

    rules = commands.add_parser("rules", help="maintainers' checks for rule packs")
    rules.add_argument("action", choices=("test", "lint", "train"))
    rules.add_argument("dirs", nargs="*", type=Path, metavar="DIR", help="pack dirs or files")
    rules.add_argument(
        "--out",
        type=Path,
        default=bundled_rules_dir() / "model" / "classifier.json",
        help="train: where to write the model (default: the bundled one)",
    )
    rules.set_defaults(func=_rules)

    add_server_commands(commands)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def _load(paths: Sequence[Path] | None, model: bool = True) -> Engine | None:
    try:
        return Engine.load(paths, model)
    except RulesError as exc:
        _report(exc.problems)
        print(f"{len(exc.problems)} problem(s) in the rules; nothing loaded.", file=sys.stderr)
        return None


def _report(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)


def _scan(args: argparse.Namespace) -> int:
    engine = _load(args.rules)
    if engine is None:
        return 2
    threads = ThreadStore()
    color = args.format == "text" and sys.stdout.isatty()
    failed = flagged = total = 0
    sources: list[tuple[BinaryIO, str]] = [(sys.stdin.buffer, "<stdin>")]
    if args.files:
        try:
            sources = [(open(f, "rb"), str(f)) for f in args.files]  # noqa: SIM115
        except OSError as exc:
            print(f"error: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
            return 2
    try:
        for stream, name in sources:
            for item in scan_stream(engine, read_messages(stream, name), threads):
                if isinstance(item, InputError):
                    failed += 1
                    print(f"warning: {item}", file=sys.stderr)
                    continue
                message, verdict = item
                total += 1
                flagged += verdict.flagged
                if args.format == "jsonl":
                    write_jsonl(sys.stdout, verdict)
                else:
                    write_text(sys.stdout, message, verdict, color)
    finally:
        for stream, _ in sources:
            if stream is not sys.stdin.buffer:
                stream.close()
    if args.format == "text" and total:
        print(f"{total} message(s) scanned, {flagged} flagged.")
    return 1 if failed else 0


def _rules(args: argparse.Namespace) -> int:
    engine = _load(args.dirs or None, model=args.action != "train")
    if engine is None:
        return 1
    rule_count = sum(len(p.rules) for p in engine.data.packs)
    if args.action == "train":
        return _train(engine, args.out, bundled_rules_dir() / "model" / "examples.jsonl")
    if args.action == "test":
        problems, examples = test_examples(engine)
        _report(problems)
        print(f"{rule_count} rules, {examples} examples: {len(problems)} failed.")
    else:
        problems = lint(engine)
        _report(problems)
        print(f"{rule_count} rules linted: {len(problems)} problem(s).")
    return 1 if problems else 0


def _train(engine: Engine, out: Path, extra: Path) -> int:
    try:
        content, quality = train(engine, extra)
    except RulesError as exc:
        _report(exc.problems)
        return 1
    except ImportError:
        print("training needs scikit-learn: pip install '.[train]'", file=sys.stderr)
        return 2
    write_model(content, out)
    print(
        f"{'category':16} {'precision':>9} {'recall':>7}   (cross-validated, whole rules held out)"
    )
    for category, (precision, recall) in quality.items():
        print(f"{category:16} {precision:9.2f} {recall:7.2f}")
    print(f"wrote {out} ({len(content['vocabulary'])} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
