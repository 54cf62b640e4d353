"""A subgraph as one self-contained interactive HTML page: inline SVG and a little JavaScript.

No CDN or other network access: the page works offline and in an e-mail attachment. Nodes are
sized by one property and coloured by another; hovering shows a node's caption and values,
clicking highlights its neighbours, dragging pans, the mouse wheel zooms; a legend lists the
colours and the size scale.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from neo4j_gml.views.style import OTHER, color_map, radii
from neo4j_gml.views.subgraph import Subgraph

WIDTH, HEIGHT, PAD = 960, 720, 40

_SCRIPT = """
(function () {
  const svg = document.getElementById('g');
  const tip = document.getElementById('tip');
  const nodes = Array.from(svg.querySelectorAll('circle'));
  const lines = Array.from(svg.querySelectorAll('line'));
  const adj = JSON.parse(document.getElementById('adjacency').textContent);
  let vb = svg.viewBox.baseVal, drag = null, selected = null;
  nodes.forEach(function (c) {
    c.addEventListener('mousemove', function (e) {
      tip.style.display = 'block';
      tip.style.left = (e.pageX + 12) + 'px';
      tip.style.top = (e.pageY + 12) + 'px';
      tip.textContent = c.dataset.info;
    });
    c.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
    c.addEventListener('click', function (e) {
      e.stopPropagation();
      selected = selected === c.dataset.id ? null : c.dataset.id;
      const keep = selected ? new Set(adj[selected].concat([selected])) : null;
      nodes.forEach(function (n) {
        n.style.opacity = !keep || keep.has(n.dataset.id) ? 1 : 0.15;
      });
      lines.forEach(function (l) {
        const on = !keep || (l.dataset.a === selected || l.dataset.b === selected);
        l.style.opacity = on ? 0.8 : 0.05;
      });
    });
  });
  svg.addEventListener('click', function () {
    selected = null;
    nodes.forEach(function (n) { n.style.opacity = 1; });
    lines.forEach(function (l) { l.style.opacity = 0.6; });
  });
  svg.addEventListener('wheel', function (e) {
    e.preventDefault();
    const k = e.deltaY > 0 ? 1.15 : 1 / 1.15;
    const r = svg.getBoundingClientRect();
    const mx = vb.x + (e.clientX - r.left) / r.width * vb.width;
    const my = vb.y + (e.clientY - r.top) / r.height * vb.height;
    vb.x = mx - (mx - vb.x) * k; vb.y = my - (my - vb.y) * k;
    vb.width *= k; vb.height *= k;
  }, {passive: false});
  svg.addEventListener('mousedown', function (e) { drag = [e.clientX, e.clientY]; });
  window.addEventListener('mouseup', function () { drag = null; });
  window.addEventListener('mousemove', function (e) {
    if (!drag) return;
    const r = svg.getBoundingClientRect();
    vb.x -= (e.clientX - drag[0]) / r.width * vb.width;
    vb.y -= (e.clientY - drag[1]) / r.height * vb.height;
    drag = [e.clientX, e.clientY];
  });
})();
"""

_STYLE = """
body { font: 14px system-ui, sans-serif; margin: 16px; color: #222; }
.wrap { display: flex; gap: 16px; align-items: flex-start; }
svg { border: 1px solid #ddd; background: #fcfcfc; cursor: grab; max-width: 100%; height: auto; }
line { stroke: #9aa0a6; stroke-width: 0.8; opacity: 0.6; }
circle { stroke: #fff; stroke-width: 1; cursor: pointer; }
text { font-size: 10px; pointer-events: none; fill: #333; }
.legend span.dot { display: inline-block; width: 12px; height: 12px; border-radius: 6px;
  margin-right: 6px; vertical-align: middle; }
#tip { position: absolute; display: none; background: #222; color: #fff; padding: 4px 8px;
  border-radius: 4px; font-size: 12px; white-space: pre; pointer-events: none; }
"""


def render_html(
    sub: Subgraph, path: str | Path, *, title: str | None = None, seed: int = 7
) -> Path:
    """Write ``sub`` as an interactive page to ``path``."""
    path = Path(path)
    pos = sub.layout(seed)
    ids = list(sub.nodes)
    sizes = dict(zip(ids, radii([sub.nodes[i]["size"] for i in ids]), strict=True))
    colors = color_map([sub.nodes[i]["color"] for i in ids]) if sub.color_by else {}

    def xy(i: int) -> tuple[float, float]:
        x, y = pos[i]
        return PAD + x * (WIDTH - 2 * PAD), PAD + y * (HEIGHT - 2 * PAD)

    parts = []
    adjacency: dict[str, list[str]] = {str(i): [] for i in ids}
    for a, b in sub.edges:
        (x0, y0), (x1, y1) = xy(a), xy(b)
        parts.append(
            f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" '
            f'data-a="{a}" data-b="{b}"/>'
        )
        adjacency[str(a)].append(str(b))
        adjacency[str(b)].append(str(a))
    top = set(sub.top[:15])
    for i in sorted(ids, key=lambda i: sizes[i]):
        node = sub.nodes[i]
        x, y = xy(i)
        info = f"{node['caption']} ({node['label']}, id {i})\n{sub.size_by}: {node['size']}"
        if sub.color_by:
            info += f"\n{sub.color_by}: {node['color']}"
        fill = colors.get(node["color"], "#4C8EDA")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{sizes[i]:.1f}" fill="{fill}" '
            f'data-id="{i}" data-info="{html.escape(info, quote=True)}"/>'
        )
        if i in top:
            parts.append(
                f'<text x="{x:.1f}" y="{y - sizes[i] - 3:.1f}" text-anchor="middle">'
                f"{html.escape(node['caption'])}</text>"
            )
    legend = []
    if colors:
        legend.append(f"<h3>{html.escape(str(sub.color_by))}</h3>")
        for value, color in colors.items():
            if color != OTHER:
                legend.append(f'<div><span class="dot" style="background:{color}"></span>'
                              f"{html.escape(str(value))}</div>")  # fmt: skip
        if OTHER in colors.values():
            legend.append(f'<div><span class="dot" style="background:{OTHER}"></span>other</div>')
    values = [v for v in (sub.nodes[i]["size"] for i in ids) if isinstance(v, int | float)]
    if values:
        legend.append(f"<h3>size: {html.escape(str(sub.size_by))}</h3>")
        legend.append(f"<div>smallest circle: {min(values):.4g}</div>")
        legend.append(f"<div>largest circle: {max(values):.4g}</div>")
    heading = title or f"top {len(sub.top)} nodes by {sub.size_by} and their neighbours"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(heading)}</title>
<style>{_STYLE}</style></head>
<body><h2>{html.escape(heading)}</h2>
<p>{len(ids)} nodes, {len(sub.edges)} relationships. Hover a node for its values, click to
highlight its neighbours, drag to pan, scroll to zoom.</p>
<div class="wrap"><svg id="g" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}"
 xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>
<div class="legend">{"".join(legend)}</div></div>
<div id="tip"></div>
<script type="application/json" id="adjacency">{json.dumps(adjacency)}</script>
<script>{_SCRIPT}</script>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page)
    return path
