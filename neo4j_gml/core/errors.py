"""Error types shared by every layer."""

from __future__ import annotations

__all__ = ["ConfigError", "ParameterError"]


class ConfigError(ValueError):
    """A configuration value is unknown, missing, of the wrong type or out of range; the message
    names the config key and what was expected."""


class ParameterError(ValueError):
    """An algorithm's parameter or input is outside its domain.

    Raised by the algorithm layer, which knows its own parameter names (``damping_factor``,
    ``weights``) but not config keys; the procedure layer turns it into a :class:`ConfigError`
    naming the config key the parameter came from.

    Attributes:
        parameter: the parameter as the algorithm's signature names it (``weights`` for the
            relationship weights).
        problem: what is wrong, as a sentence fragment (``must be in [0, 1)``).
    """

    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(f"{parameter}: {problem}")
        self.parameter = parameter
        self.problem = problem
