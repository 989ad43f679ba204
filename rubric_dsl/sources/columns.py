"""Column headings to field names for the tabular sources (CSV, XLSX, SQL), read from a --columns file."""

from __future__ import annotations

import pathlib
import re

from ..errors import RubricDSLError, os_reason
from ..i18n import _
from .parse_errors import yaml_problem

IGNORED = "-"  # a heading mapped to `-` is a column the events do not use (remarks, a clerk's tick box)


class ColumnsError(RubricDSLError, ValueError):
    """A --columns file that cannot be used; the message names the file and line."""


def load_columns(path) -> dict[str, str | None]:
    """A YAML mapping `heading: field` (`heading: -` leaves the column out), e.g. `单位: unit`."""
    import yaml

    from .yamlfile import yaml_loader

    path = pathlib.Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = os_reason(error)
        raise ColumnsError(_("{path}: cannot read the column mapping: {reason}", path=path, reason=reason)) from None
    try:
        node = yaml.compose(text, Loader=yaml_loader())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        hint = ""
        lines = text.splitlines()
        if any(re.search(r":\s*-\s*(#.*)?$", row) for row in lines[max(line - 2, 0) : line]):
            hint = _(' (to leave a column out, quote the dash: `備註: "-"`)')  # a bare - starts a YAML list
        detail = yaml_problem(error)
        raise ColumnsError(_("{place}: broken YAML: {detail}{hint}", place=str(path) + ":" + str(line), detail=detail, hint=hint)) from None
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        place = f"{path}:{node.start_mark.line + 1}"
        raise ColumnsError(_("{place}: a column mapping is lines of `heading: field`, e.g. `单位: unit`", place=place))
    mapping: dict[str, str | None] = {}
    for key, value in node.value:
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode):
            raise ColumnsError(_("{place}: each line maps one heading to one field name", place=str(path) + ":" + str(line)))
        heading, field = str(key.value).strip(), str(value.value).strip()
        if heading in mapping:
            raise ColumnsError(_("{place}: heading `{heading}` is mapped twice", place=str(path) + ":" + str(line), heading=heading))
        if not field:
            place = f"{path}:{line}"
            raise ColumnsError(
                _("{place}: heading `{heading}` needs a field name (or `-` to leave the column out)", place=place, heading=heading)
            )
        mapping[heading] = None if field == IGNORED else field
    return mapping


def field_names(headings, columns: dict) -> list[str | None]:
    """Each heading's field: its mapping, or the heading itself; None for a column left out."""
    return [columns.get(h, h) for h in headings]
