"""Object-typed inputs that refuse an attribute they do not declare.

Terraform converts a value to an object type by dropping every attribute the type does not
declare, without a word: ``vpc_config = { functons = [...] }`` would plan, and the default would
apply. The plan module declares each input's type (the one source); the root module, which the
user calls, declares those inputs ``type = any`` with a validation generated here from that type:
it names every attribute the type does not know, at any depth (``config_lookup.items["+44..."].
gretting``), and the known ones beside it. The plan module then converts the value (its defaults,
Terraform's own type errors) and validates it; the root reads the converted value from the plan's
``inputs`` output. The demo applies the plan module alone, so it checks a tfvars file's values
here in Python against the same types (``misspelt``), with the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flowkit.hcl_blocks import variable_blocks

__all__ = [
    "UNKNOWN_HINT",
    "TypeExpr",
    "declaration_as_any",
    "declared_types",
    "misspelt",
    "parse_type",
    "unknown_attributes",
]

_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|[(){}=,])")
_TYPE_START = re.compile(r"^  type\s*=\s*")
# Why a misspelt attribute must stop the plan, after the list of them (root check and demo alike).
UNKNOWN_HINT = "Terraform would drop it without a word and the default would apply: check the spelling."


@dataclass(frozen=True)
class TypeExpr:
    """A Terraform type constraint: an object's attributes, or a collection's element type."""

    kind: str  # "object", "map", "list", "set" or "scalar"
    attributes: tuple[tuple[str, TypeExpr], ...] = ()
    element: TypeExpr | None = None

    @property
    def holds_object(self) -> bool:
        """Whether an object type is anywhere inside (only there can an attribute be dropped)."""
        if self.kind == "object":
            return True
        return self.element is not None and self.element.holds_object


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def token(self) -> str:
        match = _TOKEN.match(self.text, self.position)
        if match is None:
            raise ValueError(f"cannot read the type expression at {self.text[self.position :][:40]!r}")
        self.position = match.end()
        return match.group(1)

    def expect(self, wanted: str) -> None:
        got = self.token()
        if got != wanted:
            raise ValueError(f"expected {wanted!r} in the type expression, got {got!r}")

    def skip_default(self) -> None:
        """Pass over optional()'s default value, an expression of its own, to the closing paren."""
        depth = 0
        strings = False
        while self.position < len(self.text):
            char = self.text[self.position]
            if strings:
                if char == "\\":
                    self.position += 1
                elif char == '"':
                    strings = False
            elif char == '"':
                strings = True
            elif char in "([{":
                depth += 1
            elif char in ")]}":
                if depth == 0:
                    return
                depth -= 1
            self.position += 1
        raise ValueError("optional() is not closed in the type expression")

    def parse(self) -> TypeExpr:
        name = self.token()
        if name in {"string", "number", "bool", "any"}:
            return TypeExpr("scalar")
        self.expect("(")
        if name == "optional":
            inner = self.parse()
            if self.token() == ",":
                self.skip_default()
                self.expect(")")
            return inner
        if name == "object":
            self.expect("{")
            attributes: list[tuple[str, TypeExpr]] = []
            while (word := self.token()) != "}":
                if word == ",":
                    continue
                self.expect("=")
                attributes.append((word, self.parse()))
            self.expect(")")
            return TypeExpr("object", attributes=tuple(attributes))
        if name in {"map", "list", "set"}:
            element = self.parse()
            self.expect(")")
            return TypeExpr(name, element=element)
        raise ValueError(f"unknown type constructor {name!r} in the type expression")


def parse_type(text: str) -> TypeExpr:
    """The type constraint written in ``text`` (a variable's ``type = ...`` value)."""
    parser = _Parser(text)
    parsed = parser.parse()
    if parser.text[parser.position :].strip():
        raise ValueError(f"unexpected text after the type expression: {parser.text[parser.position :]!r}")
    return parsed


def unknown_attributes(kind: TypeExpr, value: str, path: str, depth: int = 0) -> str | None:
    """An HCL expression: the list of the undeclared attributes in ``value`` (as "path.name (known:
    ...)"), or None when the type holds no object. ``path`` is HCL string-template text."""
    if not kind.holds_object:
        return None
    if kind.kind == "object":
        names = [name for name, _ in kind.attributes]
        quoted = ", ".join(f'"{name}"' for name in names)
        entry = f'"{path}.${{name}} (known: {", ".join(names)})"'
        parts = [f"[for name in setsubtract(keys({value}), [{quoted}]) : {entry}]"]
        for name, attribute in kind.attributes:
            inner = unknown_attributes(attribute, f"{value}.{name}", f"{path}.{name}", depth)
            if inner is not None:
                parts.append(inner)
        # A value of the wrong shape (or an attribute left out) has nothing to name here: the
        # plan module's conversion reports the shape in Terraform's own words.
        return "try(" + (parts[0] if len(parts) == 1 else "concat(" + ", ".join(parts) + ")") + ", [])"
    if kind.element is None:  # a collection always has one; holds_object said so
        raise ValueError(f"a {kind.kind} type without an element type")
    key, item = f"key{depth}", f"item{depth}"
    label = f'{path}[\\"${{{key}}}\\"]' if kind.kind == "map" else f"{path}[${{{key}}}]"
    inner = unknown_attributes(kind.element, item, label, depth + 1)
    return f"try(flatten([for {key}, {item} in {value} : {inner}]), [])"


def misspelt(kind: TypeExpr, value: object, path: str) -> list[str]:
    """The undeclared attributes in ``value`` (a tfvars value as Python reads it), in the words of
    the root's check: "path.name (known: ...)". A value of the wrong shape names nothing here."""
    found: list[str] = []
    if kind.kind == "object" and isinstance(value, Mapping):
        attributes = dict(kind.attributes)
        known = ", ".join(attributes)
        for raw, inner in value.items():
            name = str(raw).strip('"')
            if name not in attributes:
                found.append(f"{path}.{name} (known: {known})")
            else:
                found.extend(misspelt(attributes[name], inner, f"{path}.{name}"))
    elif kind.kind == "map" and kind.element is not None and isinstance(value, Mapping):
        for raw, inner in value.items():
            found.extend(misspelt(kind.element, inner, f'{path}["{str(raw).strip(chr(34))}"]'))
    elif kind.element is not None and isinstance(value, list):
        for index, inner in enumerate(value):
            found.extend(misspelt(kind.element, inner, f"{path}[{index}]"))
    return found


def _type_text(lines: list[str], start: int) -> tuple[str, int]:
    """The type expression that opens on ``lines[start]``, and the index of its last line."""
    depth, end, text = 0, start, ""
    for end in range(start, len(lines)):
        piece = lines[end] if end > start else _TYPE_START.sub("", lines[end])
        text += piece + "\n"
        depth += piece.count("(") - piece.count(")")
        if depth == 0:
            break
    return text, end


def declared_types(terraform: str) -> dict[str, TypeExpr]:
    """Each variable of a Terraform file whose type holds an object, by name."""
    found: dict[str, TypeExpr] = {}
    for name, block in variable_blocks(terraform):
        lines = block.splitlines()
        start = next((index for index, line in enumerate(lines) if _TYPE_START.match(line)), None)
        if start is None:
            continue
        kind = parse_type(_type_text(lines, start)[0])
        if kind.holds_object:
            found[name] = kind
    return found


def declaration_as_any(name: str, block: str) -> str:
    """A variable block (validations stripped) with an object type, as the root declares it:
    ``type = any`` and the validation that refuses an undeclared attribute by name."""
    lines = block.splitlines()
    start = next(index for index, line in enumerate(lines) if _TYPE_START.match(line))
    text, end = _type_text(lines, start)
    kind = parse_type(text)
    check = unknown_attributes(kind, f"var.{name}", name)
    if check is None:
        return block
    validation = [
        "",
        "  validation {",
        f"    condition     = length({check}) == 0",
        f'    error_message = "Unknown attribute: ${{join("; ", {check})}}. {UNKNOWN_HINT}"',
        "  }",
    ]
    body = [*lines[:start], "  type = any", *lines[end + 1 : -1], *validation, lines[-1]]
    return "\n".join(body)
