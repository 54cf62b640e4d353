"""Label, relationship-type and property names, checked and quoted for Cypher.

Names of labels, types and properties cannot be query parameters in Cypher, so they are the one
place where user text enters a query string. Every such name goes through :func:`quote`, which
refuses what Neo4j cannot store and wraps the rest in backticks with inner backticks doubled, so a
name can never end the identifier early and inject Cypher.
"""

from __future__ import annotations

from neo4j_gml.core.errors import ConfigError

MAX_NAME_LENGTH = 16383


def check_name(name: object, *, key: str) -> str:
    """Return ``name`` if it can be a Neo4j label, type or property name; else ConfigError.

    ``key`` is the config key the name came from, for the message.
    """
    if not isinstance(name, str):
        raise ConfigError(f"config key '{key}' must name a label, type or property as a string")
    if name == "" or name.strip() == "":
        raise ConfigError(f"config key '{key}' must not be empty or blank")
    if "\x00" in name:
        raise ConfigError(f"config key '{key}' must not contain a NUL character")
    if len(name) > MAX_NAME_LENGTH:
        raise ConfigError(f"config key '{key}' is longer than {MAX_NAME_LENGTH} characters")
    return name


def quote(name: str, *, key: str) -> str:
    """``name`` as a Cypher identifier in backticks, inner backticks doubled."""
    return "`" + check_name(name, key=key).replace("`", "``") + "`"
