"""YAML loading that remembers line numbers, so errors can say ``file:line``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from voice_guide.errors import ContentError


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping that knows the (1-based) line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list):  # type: ignore[type-arg]
    """A sequence that knows the line of itself and of each item."""

    line: int = 0
    item_lines: list[int]


_BASE: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""LibYAML's parser when PyYAML was built with it (much faster start-up), else the pure-Python one."""


class _Loader(_BASE):  # type: ignore[misc,valid-type]
    path = "<yaml>"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise ContentError(loader.path, line, f"key {key!r} must be text")
        if key in result:
            raise ContentError(loader.path, line, f"duplicate key '{key}' (first at line {result.key_lines[key]})")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)  # type: ignore[arg-type]
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)  # type: ignore[arg-type]


MAX_YAML_BYTES = 16 * 1024 * 1024
"""Far above any content pack or settings file (a 3,000-section pack is a few MB): a bigger file, or a
device that never ends (/dev/zero), is refused before it fills the memory."""


def load_yaml(path: Path) -> Any:
    """Parse one YAML file into LineDict/LineList values; syntax errors become ContentError."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_YAML_BYTES + 1)
        if len(data) > MAX_YAML_BYTES:
            raise ContentError(str(path), None, f"larger than {MAX_YAML_BYTES // 2**20} MB; is this the right file?")
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise ContentError(str(path), None, "no such file; check the path") from None
    except UnicodeDecodeError as exc:
        raise ContentError(str(path), None, f"not UTF-8 text ({exc.reason}); save it as UTF-8") from None
    except OSError as exc:
        raise ContentError(str(path), None, f"cannot read ({exc.strerror})") from None
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # e.g. control characters, caught while reading
        raise ContentError(str(path), None, f"YAML: {exc}".splitlines()[0] + "; remove control characters") from None
    loader.path = str(path)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ContentError(str(path), line, f"YAML syntax: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:  # e.g. a control character further on: one line, not the reader's two
        raise ContentError(str(path), None, f"YAML: {' '.join(str(exc).split())}; remove control characters") from None
    finally:
        loader.dispose()


def line_of(container: Any, key: str | int, default: int | None = None) -> int | None:
    """The line of ``key`` inside a LineDict/LineList, else the container's own line."""
    if isinstance(container, LineDict) and isinstance(key, str) and key in container.key_lines:
        return container.key_lines[key]
    if isinstance(container, LineList) and isinstance(key, int) and 0 <= key < len(container.item_lines):
        return container.item_lines[key]
    return getattr(container, "line", default) or default
