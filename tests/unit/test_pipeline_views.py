"""Pictures of a hand-made subgraph, without Neo4j: sizes, colours, legends, offline HTML."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from neo4j_gml.views.html import render_html
from neo4j_gml.views.picture import render_png
from neo4j_gml.views.style import OTHER, color_map, radii
from neo4j_gml.views.subgraph import Subgraph


def subgraph() -> Subgraph:
    sub = Subgraph(size_by="rank", color_by="group", top=[1, 2])
    for i, (rank, group) in enumerate([(3.0, 0), (2.0, 0), (1.0, 1), (0.5, 1), (None, 2)], 1):
        sub.nodes[i] = {"caption": f"n<{i}>", "label": "Thing", "size": rank, "color": group}
    sub.edges = [(1, 2), (1, 3), (3, 4), (2, 5)]
    return sub


def test_radii_grow_with_the_value_and_area_is_proportional() -> None:
    r = radii([0.0, 1.0, 4.0, None], lo=2.0, hi=10.0)
    assert r[0] == 2.0 and r[2] == 10.0 and r[3] == 2.0
    # area linear in the value: r^2 - lo^2 proportional to value
    assert (r[1] ** 2 - 4.0) / (r[2] ** 2 - 4.0) == pytest.approx(0.25)
    assert radii([5, 5]) == [11.0, 11.0]


def test_colours_follow_frequency_and_overflow_is_grey() -> None:
    colours = color_map([7, 7, 3, 9, 9, 9], limit=2)
    assert list(colours) == [9, 7, 3] and colours[3] == OTHER
    assert colours[9] != colours[7]


def test_png_has_the_size_and_format(tmp_path: Path) -> None:
    path = render_png(subgraph(), tmp_path / "g.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1600, 1200)


def test_html_is_self_contained_and_its_script_parses(tmp_path: Path) -> None:
    page = render_html(subgraph(), tmp_path / "g.html", title="T & <t>").read_text()
    assert "<title>T &amp; &lt;t&gt;</title>" in page and "n&lt;1&gt;" in page
    assert "https://" not in page and "<script src" not in page
    assert len(re.findall(r"<circle ", page)) == 5 and len(re.findall(r"<line ", page)) == 4
    radii_by_id = {
        int(m.group(2)): float(m.group(1))
        for m in re.finditer(r'r="([\d.]+)" fill="[^"]+" data-id="(\d+)"', page)
    }
    assert radii_by_id[1] > radii_by_id[2] > radii_by_id[3] > radii_by_id[4]
    assert "<h3>group</h3>" in page and "<h3>size: rank</h3>" in page
    node = shutil.which("node")
    if node:  # the inline script is valid JavaScript
        script = re.findall(r"<script>(.*?)</script>", page, re.S)[0]
        (tmp_path / "s.js").write_text(script)
        subprocess.run([node, "--check", str(tmp_path / "s.js")], check=True)
