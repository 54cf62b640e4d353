"""Error types shared by every layer."""

from __future__ import annotations

__all__ = ["ConfigError"]


class ConfigError(ValueError):
    """A configuration value is unknown, missing, of the wrong type or out of range; the message
    names the config key and what was expected."""
