"""Read `shapes.yaml` (invite and call link shapes, each checked against its own examples when
it loads) and `redirectors.yaml` (wrappers such as l.facebook.com/l.php?u=...).
"""

from __future__ import annotations

from typing import Any

from .link_parts import parse_url
from .link_reader import Reader
from .link_shapes import Redirector, Shape

#: The reasons a shape may give; the other checks are not about a URL's shape.
SHAPE_REASONS = ("group_invite", "private_call")


def read_shapes(reader: Reader, doc: object) -> list[Shape]:
    file = "shapes.yaml"
    raw = doc.get("shapes") if isinstance(doc, dict) else None
    if not isinstance(raw, list):
        reader.problem(file, doc, None, "`shapes` must be a list")
        return []
    shapes: list[Shape] = []
    seen: set[str] = set()
    for spec in raw:
        sid = str(spec.get("id")) if isinstance(spec, dict) else "?"
        if not isinstance(spec, dict) or sid in seen:
            reader.problem(file, spec, sid, "each shape must be a mapping with a unique id")
            continue
        seen.add(sid)
        if spec.get("reason") not in SHAPE_REASONS:
            reader.problem(file, spec, sid, f"reason must be one of {', '.join(SHAPE_REASONS)}")
        hosts = reader.strings(file, spec.get("hosts"), sid, "hosts")
        schemes = reader.strings(file, spec.get("schemes"), sid, "schemes")
        if bool(hosts) == bool(schemes):
            reader.problem(file, spec, sid, "give either `hosts` or `schemes`")
        shape = Shape(
            id=sid,
            reason=str(spec.get("reason")),
            hosts=frozenset(h.lower() for h in hosts if not h.startswith("*.")),
            parents=frozenset(h[2:].lower() for h in hosts if h.startswith("*.")),
            schemes=frozenset(s.lower() for s in schemes),
            pattern=reader.regex(file, spec, sid, spec.get("pattern")),
        )
        _check_examples(reader, file, spec, shape)
        shapes.append(shape)
    return shapes


def _check_examples(reader: Reader, file: str, spec: dict[str, Any], shape: Shape) -> None:
    examples = spec.get("examples") or {}
    for expected, key in ((True, "match"), (False, "no_match")):
        for url in reader.strings(file, examples.get(key), shape.id, f"examples.{key}"):
            parts = parse_url(url)
            if (parts is not None and shape.matches(parts)) != expected:
                verb = "should match" if expected else "should not match"
                reader.problem(file, examples, shape.id, f"example {verb}: {url}")


def read_redirectors(reader: Reader, doc: object) -> tuple[Redirector, ...]:
    file = "redirectors.yaml"
    raw = doc.get("redirectors") if isinstance(doc, dict) else None
    if not isinstance(raw, list):
        reader.problem(file, doc, None, "`redirectors` must be a list")
        return ()
    out = []
    for spec in raw:
        if not isinstance(spec, dict):
            reader.problem(file, raw, None, "each redirector must be a mapping")
            continue
        hosts = reader.strings(file, spec.get("hosts"), None, "hosts")
        path = reader.regex(file, spec, ",".join(hosts), spec.get("path", "^/"))
        params = reader.strings(file, spec.get("params"), None, "params")
        out.append(Redirector(frozenset(h.lower() for h in hosts), path, params))
    return tuple(out)
