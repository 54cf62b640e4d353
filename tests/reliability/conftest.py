"""The integration fixtures (``io_path``, ``gml``, ...) for the reliability tests."""

try:
    from tests.integration.conftest import *  # noqa: F401,F403
except ModuleNotFoundError:  # plain `pytest`: the checkout is not on sys.path, ``tests/`` is
    from integration.conftest import *  # type: ignore[no-redef]  # noqa: F401,F403
