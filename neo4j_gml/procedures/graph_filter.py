"""GDS's filter expressions for ``gml.graph.filter``: predicates on nodes and relationships.

A node filter reads ``n``, a relationship filter ``r`` (any variable name works, as in GDS)::

    *                                   every node / relationship
    n:Person                            a label (r:KNOWS: a type); n:A|B: either
    n.age >= 18 AND NOT n:Bot           comparisons of a property with a number
    (r.weight > 0.5 OR r:FRIEND) AND r.since <= 2020

Operators: ``=``, ``<>``, ``<``, ``<=``, ``>``, ``>=``; ``AND``, ``OR``, ``NOT``, ``XOR``,
parentheses, ``TRUE`` and ``FALSE``. A node without a value of the property (NaN) fails every
comparison, as a null does in Cypher. Evaluation is one tensor expression per predicate.

Examples
--------
>>> import torch
>>> mask = node_mask("n:A AND n.x > 1", {"A": torch.tensor([True, True, False])},
...                  {"x": torch.tensor([1.0, 2.0, 3.0])}, 3)
>>> mask.tolist()
[False, True, False]
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping

import torch

from neo4j_gml.core.errors import ConfigError

_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)|(?P<op><>|<=|>=|=|<|>)|"
    r"(?P<punct>[():.|*])|(?P<name>`[^`]+`|[A-Za-z_][A-Za-z0-9_]*))"
)
_COMPARE: dict[str, Callable[[torch.Tensor, float], torch.Tensor]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "<>": "<>"}


def _tokens(text: str, key: str) -> list[tuple[str, str]]:
    out = []
    at = 0
    text = text.strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise ConfigError(f"config key '{key}': cannot read {text[at : at + 20]!r} in {text!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "name" and value.startswith("`"):
            value = value[1:-1]
            kind = "quoted"
        out.append((kind, value))
        at = match.end()
    return out


class _Parser:
    """Recursive descent over the tokens; each rule returns a ``bool[k]`` tensor."""

    def __init__(
        self,
        text: str,
        key: str,
        size: int,
        has: Callable[[str], torch.Tensor],
        value: Callable[[str], torch.Tensor],
        device: torch.device,
    ) -> None:
        self.text, self.key, self.size = text, key, size
        self.has, self.value, self.device = has, value, device
        self.tokens = _tokens(text, key)
        self.at = 0
        self.var: str | None = None

    def fail(self, why: str) -> ConfigError:
        return ConfigError(f"config key '{self.key}': {why} in filter {self.text!r}")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def word(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "name" and token[1].upper() in words:
            self.at += 1
            return token[1].upper()
        return None

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            raise self.fail(f"expected {value or kind} at token {self.at + 1}")
        self.at += 1
        return token[1]

    def parse(self) -> torch.Tensor:
        if [t[1] for t in self.tokens] == ["*"]:
            return torch.ones(self.size, dtype=torch.bool, device=self.device)
        result = self.disjunction()
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return result

    def disjunction(self) -> torch.Tensor:
        left = self.conjunction()
        while (op := self.word("OR", "XOR")) is not None:
            right = self.conjunction()
            left = left | right if op == "OR" else left ^ right
        return left

    def conjunction(self) -> torch.Tensor:
        left = self.negation()
        while self.word("AND"):
            left = left & self.negation()
        return left

    def negation(self) -> torch.Tensor:
        if self.word("NOT"):
            return ~self.negation()
        return self.atom()

    def variable(self) -> None:
        name = self.take("name")
        if self.var is None:
            self.var = name
        elif name != self.var:
            raise self.fail(f"one variable only: '{self.var}' and '{name}'")

    def name(self) -> str:
        token = self.peek()
        if token is None or token[0] not in ("name", "quoted"):
            raise self.fail(f"expected a name at token {self.at + 1}")
        self.at += 1
        return token[1]

    def atom(self) -> torch.Tensor:
        token = self.peek()
        if token is None:
            raise self.fail("the filter ends too early")
        if token == ("punct", "("):
            self.at += 1
            inner = self.disjunction()
            self.take("punct", ")")
            return inner
        if self.word("TRUE"):
            return torch.ones(self.size, dtype=torch.bool, device=self.device)
        if self.word("FALSE"):
            return torch.zeros(self.size, dtype=torch.bool, device=self.device)
        if token[0] == "num":  # 3 < n.x
            self.at += 1
            op = _FLIP[self.take("op")]
            values = self.property()
            return self.compare(values, op, float(token[1]))
        self.variable()
        nxt = self.peek()
        if nxt == ("punct", ":"):
            self.at += 1
            mask = self.has(self.name())
            while self.peek() == ("punct", "|"):
                self.at += 1
                mask = mask | self.has(self.name())
            return mask
        if nxt == ("punct", "."):
            self.at += 1
            values = self.value(self.name())
            op = self.take("op")
            number = self.take("num")
            return self.compare(values, op, float(number))
        raise self.fail(f"expected ':' or '.' after '{self.var}'")

    def property(self) -> torch.Tensor:
        self.variable()
        self.take("punct", ".")
        return self.value(self.name())

    def compare(self, values: torch.Tensor, op: str, number: float) -> torch.Tensor:
        if values.ndim != 1:
            raise self.fail("a list property cannot be compared with a number")
        return _COMPARE[op](values.to(torch.float64), number) & ~torch.isnan(
            values.to(torch.float64)
        )


def node_mask(
    text: str,
    labels: Mapping[str, torch.Tensor],
    properties: Mapping[str, torch.Tensor],
    size: int,
    *,
    key: str = "nodeFilter",
) -> torch.Tensor:
    """``bool[size]``: the nodes that pass ``text`` (labels and node properties by name)."""
    device = next(iter(properties.values()), torch.empty(0)).device

    def has(label: str) -> torch.Tensor:
        if label not in labels:
            raise ConfigError(
                f"config key '{key}': the graph has no node label '{label}'; its labels: "
                f"{sorted(labels) or 'none'}"
            )
        return labels[label]

    def value(name: str) -> torch.Tensor:
        if name not in properties:
            raise ConfigError(
                f"config key '{key}': the graph has no node property '{name}'; its node "
                f"properties: {sorted(properties) or 'none'}"
            )
        return properties[name]

    return _Parser(text, key, size, has, value, device).parse()


def relationship_mask(
    text: str,
    rtype: str,
    types: list[str],
    properties: Mapping[str, torch.Tensor],
    size: int,
    *,
    key: str = "relationshipFilter",
) -> torch.Tensor:
    """``bool[size]``: the arcs of type ``rtype`` that pass ``text``; a property another type
    has but this one lacks fails every comparison (as a null does)."""
    device = next(iter(properties.values()), torch.empty(0)).device

    def has(name: str) -> torch.Tensor:
        if name not in types:
            raise ConfigError(
                f"config key '{key}': the graph has no relationship type '{name}'; its types: "
                f"{sorted(types) or 'none'}"
            )
        return torch.full((size,), name == rtype, dtype=torch.bool, device=device)

    def value(name: str) -> torch.Tensor:
        if name in properties:
            return properties[name]
        return torch.full((size,), float("nan"), dtype=torch.float64, device=device)

    return _Parser(text, key, size, has, value, device).parse()
