"""Graphlets: small induced subgraphs and the orbits (positions) of nodes in them."""

__all__: list[str] = []
