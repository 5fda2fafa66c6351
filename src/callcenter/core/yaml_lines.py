"""The line of each key of a YAML text, for errors that name where a mistake is (the IVR
flow files, the scripts): key paths are dotted, list items `[i]` (`flows.main.nodes.q`,
`steps[2].options`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import yaml


def key_lines(node: yaml.Node | None) -> dict[str, int]:
    """The line (1-based) of every key path under the composed `node`."""
    lines: dict[str, int] = {}
    if node is not None:
        _walk(node, "", lines)
    return lines


def _walk(node: yaml.Node, path: str, lines: dict[str, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            sub = f"{path}.{k.value}" if path else str(k.value)
            lines[sub] = k.start_mark.line + 1
            _walk(v, sub, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, f"{path}[{i}]", lines)


def line_of(lines: Mapping[str, int], path: str) -> int | None:
    """The line of `path`'s key, else of the nearest key above it that the text has."""
    while path:
        if path in lines:
            return lines[path]
        above = re.sub(r"(\[\d+\]|\.[^.\[]*)$", "", path)
        if above == path:  # a top-level key the text lacks (an empty file has none)
            break
        path = above
    return None
