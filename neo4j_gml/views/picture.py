"""A subgraph as a PNG (matplotlib): nodes sized by one property, coloured by another, legends."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from neo4j_gml.views.style import OTHER, color_map, radii  # noqa: E402
from neo4j_gml.views.subgraph import Subgraph  # noqa: E402


def render_png(sub: Subgraph, path: str | Path, *, title: str | None = None, seed: int = 7) -> Path:
    """Draw ``sub`` to ``path`` (PNG, 1600x1200 px); the top nodes get captions."""
    path = Path(path)
    pos = sub.layout(seed)
    ids = list(sub.nodes)
    fig, ax = plt.subplots(figsize=(10, 7.5), dpi=160)
    for a, b in sub.edges:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.plot([x0, x1], [y0, y1], color="#9AA0A6", linewidth=0.6, alpha=0.6, zorder=1)
    sizes = radii([sub.nodes[i]["size"] for i in ids])
    colors = color_map([sub.nodes[i]["color"] for i in ids]) if sub.color_by else {}
    ax.scatter(
        [pos[i][0] for i in ids],
        [pos[i][1] for i in ids],
        s=[r**2 * 2.2 for r in sizes],
        c=[colors.get(sub.nodes[i]["color"], "#4C8EDA") for i in ids],
        edgecolors="white",
        linewidths=0.8,
        zorder=2,
    )
    top = set(sub.top[:15])
    for i in ids:
        if i in top:
            x, y = pos[i]
            ax.annotate(
                sub.nodes[i]["caption"], (x, y), fontsize=7, ha="center", va="bottom",
                xytext=(0, 6), textcoords="offset points", zorder=3,
            )  # fmt: skip
    if colors:
        handles = [
            Line2D([], [], marker="o", linestyle="", markersize=7, color=c, label=str(v))
            for v, c in colors.items()
            if c != OTHER
        ][:14]
        if OTHER in colors.values():
            handles.append(Line2D([], [], marker="o", linestyle="", color=OTHER, label="other"))
        legend = ax.legend(
            handles=handles, title=sub.color_by, loc="upper left", bbox_to_anchor=(1.0, 1.0),
            fontsize=7, title_fontsize=8, frameon=False,
        )  # fmt: skip
        ax.add_artist(legend)
    values = [v for v in (sub.nodes[i]["size"] for i in ids) if isinstance(v, int | float)]
    if values:
        lo, hi = min(values), max(values)
        size_handles = [
            Line2D([], [], marker="o", linestyle="", color="#777777", markersize=r / 1.2,
                   label=f"{v:.3g}")
            for v, r in zip((lo, (lo + hi) / 2, hi), radii([lo, (lo + hi) / 2, hi]), strict=True)
        ]  # fmt: skip
        ax.legend(
            handles=size_handles, title=sub.size_by, loc="lower left", bbox_to_anchor=(1.0, 0.0),
            fontsize=7, title_fontsize=8, frameon=False, labelspacing=1.4,
        )  # fmt: skip
    ax.set_title(
        title or f"top {len(sub.top)} nodes by {sub.size_by} and their neighbours", fontsize=11
    )
    ax.set_axis_off()
    ax.margins(0.06)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path
