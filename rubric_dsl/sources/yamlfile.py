"""YAML events: a list of mappings, each placed at the `file:line` where it starts; decimals exact, dates as text."""

from __future__ import annotations

import re
from decimal import Decimal

from ..i18n import _
from .events import BadRecord, Place
from .files import TextFileSource, write_rejected_text
from .parse_errors import yaml_problem

# Events are flat records; a test file nests a few levels. Deeper nesting is hostile (PyYAML composes
# recursively, and 50,000 levels overflow the stack), and so are aliases: `*a` repeats a whole subtree
# without copying it, so nine aliases of nine aliases of … make a "billion laughs" that grows without
# end as soon as anything walks it.
MAX_YAML_DEPTH = 32
YAML_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
YAML_1_1_TAGS = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def yaml_loader():
    """A safe YAML loader that reads floats as Decimal and dates as text, like the other formats,
    refuses aliases and deep nesting, and reads numbers as YAML 1.2 does (no octal `010`, no
    sexagesimal `190:20:30`, no `1_000`: those stay text, and an event's number field refuses them)."""
    import yaml

    class _Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, _("an alias (*name) is not accepted: write the value out in full"), mark)
            self.depth += 1
            try:
                if self.depth > MAX_YAML_DEPTH:
                    mark = self.peek_event().start_mark
                    raise yaml.composer.ComposerError(
                        None, None, _("values nested more than {depth} levels deep", depth=MAX_YAML_DEPTH), mark
                    )
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    # Decimal, never float: YAML's 0.1 must stay exactly 0.1.
    _Loader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: _yaml_decimal(loader.construct_scalar(node)))
    _Loader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: int(loader.construct_scalar(node)))
    _Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    # YAML 1.1 reads yes/no/on/off as booleans; in event data they are words (`upheld: yes`). Its
    # numbers are replaced by YAML 1.2's plain decimal ones.
    _Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in YAML_1_1_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    _Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]{0,30})$"), list("-+0123456789"))
    _Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]{1,4})?$"),
        list("-+0123456789."),
    )
    return _Loader


def _yaml_decimal(text: str):
    """A YAML float as an exact Decimal (the resolver admits only plain decimal numerals); a value
    tagged !!float explicitly that is not one (.inf, 1_0) stays text and fails validation."""
    try:
        value = Decimal(text)
    except ArithmeticError:
        return text
    return value if value.is_finite() and "_" not in text and text.isascii() else text


def _yaml_dumper():
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    # a Decimal is written as the number it is (YAML's float tag, read back by yaml_loader as the same Decimal)
    Dumper.add_representer(Decimal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", str(value)))
    return Dumper


_Dumper = _yaml_dumper()


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
            yield BadRecord(_("broken YAML: {detail}", detail=yaml_problem(error))), Place(path, line, format="yaml")
            return
        if node is None:
            return
        if not isinstance(node, yaml.SequenceNode):
            yield BadRecord(_("a YAML event file is a list of events (- id: …)")), Place(path, node.start_mark.line + 1, format="yaml")
            return
        lines = YAML_LINE_BREAK.split(text)  # as PyYAML counts lines (not str.splitlines, which breaks at \x0b too)
        loader = _Loader("")
        for child in node.value:
            line = child.start_mark.line + 1
            try:
                record = loader.construct_document(child)
            except yaml.YAMLError as error:
                yield (
                    BadRecord(_("unreadable YAML value: {detail}", detail=yaml_problem(error))),
                    Place(path, line, format="yaml"),
                )
                continue
            source_line = lines[line - 1] if line <= len(lines) else None
            if not isinstance(record, dict):
                yield (
                    BadRecord(_("expected a mapping, found {found}", found=type(record).__name__)),
                    Place(path, line, text=source_line, format="yaml"),
                )
                continue
            yield record, Place(path, line, text=source_line, format="yaml")

    def write_rejected(self, problems, path: str) -> None:
        """Every rejected item, events and non-events alike, as a YAML list that re-reads to the same
        problems (exact decimals stay numbers, at any depth); a file that is not a list is rejected whole."""
        import yaml

        lines = {p.place.line for p in problems}
        text = self.text()
        try:
            node = yaml.compose(text, Loader=yaml_loader())
        except yaml.YAMLError:
            node = None
        if not isinstance(node, yaml.SequenceNode):
            write_rejected_text(path, text if problems else "")
            return
        loader = yaml_loader()("")
        items = []
        for child in node.value:
            if child.start_mark.line + 1 in lines:
                try:
                    items.append(loader.construct_document(child))
                except yaml.YAMLError:
                    items.append(text[child.start_mark.index : child.end_mark.index])
        write_rejected_text(path, yaml.dump(items, Dumper=_Dumper, allow_unicode=True, sort_keys=False) if items else "[]\n")
