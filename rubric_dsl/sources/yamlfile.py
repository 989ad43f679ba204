"""YAML events: a list of mappings, each placed at the `file:line` where it starts; decimals exact, dates as text."""

from __future__ import annotations

import re
from decimal import Decimal

from .events import BadRecord, Place
from .files import TextFileSource, plain


def yaml_loader():
    """A safe YAML loader that reads floats as Decimal and dates as text, like the other formats."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    # Decimal, never float: YAML's 0.1 must stay exactly 0.1.
    _Loader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: _yaml_decimal(loader.construct_scalar(node)))
    _Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    # YAML 1.1 reads yes/no/on/off as booleans; in event data they are words (`upheld: yes`).
    _Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    return _Loader


def _yaml_decimal(text: str):
    """A YAML float as an exact Decimal; what has no exact value (.inf, .nan, 1:30) stays text and fails validation."""
    try:
        value = Decimal(text.replace("_", ""))
    except ArithmeticError:
        return text
    return value if value.is_finite() else text


class YamlSource(TextFileSource):
    format = "yaml"

    def records(self, stream, path: str):
        import yaml

        _Loader = yaml_loader()
        text = stream.read()
        try:
            node = yaml.compose(text, Loader=_Loader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            yield BadRecord(f"broken YAML: {getattr(error, 'problem', error)}"), Place(path, line, format="yaml")
            return
        if node is None:
            return
        if not isinstance(node, yaml.SequenceNode):
            yield BadRecord("a YAML event file is a list of events (- id: …)"), Place(path, node.start_mark.line + 1, format="yaml")
            return
        lines = text.splitlines()
        loader = _Loader("")
        for child in node.value:
            line = child.start_mark.line + 1
            try:
                record = loader.construct_document(child)
            except yaml.YAMLError as error:
                yield BadRecord(f"unreadable YAML value: {getattr(error, 'problem', error)}"), Place(path, line, format="yaml")
                continue
            source_line = lines[line - 1] if line <= len(lines) else None
            if not isinstance(record, dict):
                yield BadRecord(f"expected a mapping, found {type(record).__name__}"), Place(path, line, text=source_line, format="yaml")
                continue
            yield record, Place(path, line, text=source_line, format="yaml")

    def write_rejected(self, problems, path: str) -> None:
        import yaml

        rows = [plain(p.event) for p in problems if isinstance(p.event, dict)]
        with open(path, "w", encoding="utf-8", newline="") as out:
            yaml.safe_dump(rows, out, allow_unicode=True, sort_keys=False)
