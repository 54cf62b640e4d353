"""Where the Maven builds live."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PLUGIN_DIR", "REPO_ROOT"]

REPO_ROOT = Path(__file__).resolve().parents[2]

#: The folder with the Maven builds (``plugin/pom.xml``); override with ``NEO4J_GML_PLUGIN_DIR``.
PLUGIN_DIR: Path = Path(
    os.environ.get(
        "NEO4J_GML_PLUGIN_DIR",
        REPO_ROOT / "plugin" if (REPO_ROOT / "plugin").is_dir() else Path.cwd() / "plugin",
    )
)
