"""An HTML report of one pipeline run, read back from its ``(:GmlRun)`` record.

The report holds the run's status and timings, a timing chart per step (read, compute, write),
and for each step what it wrote: the distribution of a score, the sizes of the communities,
the distribution of relationship scores (similarities, predicted links), the norms of
embeddings, and any link-prediction metrics found in a step's summary (AUC, precision, ...).
Charts are PNGs inlined as data URIs, so the file is self-contained.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from neo4j_gml.core.errors import ConfigError  # noqa: E402
from neo4j_gml.io import subgraph as io_subgraph  # noqa: E402
from neo4j_gml.io.driver import Driver  # noqa: E402
from neo4j_gml.pipeline.records import RunRecord, StepRecord, load_run  # noqa: E402
from neo4j_gml.procedures import registry  # noqa: E402

METRIC = re.compile(r"auc|precision|recall|hits|mrr|f1|accuracy|ndcg|loss", re.IGNORECASE)
SAMPLE = 100_000


def _png(fig: plt.Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    return f'<img alt="chart" src="data:image/png;base64,{data}">'


def _hist(values: np.ndarray, title: str, xlabel: str, log: bool = False) -> str:
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.hist(values, bins=min(40, max(5, int(np.sqrt(values.size)))), color="#4C8EDA")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    if log:
        ax.set_yscale("log")
    fig.tight_layout()
    return f"<figure>{_png(fig)}<figcaption>{html.escape(title)}</figcaption></figure>"


def timing_chart(steps: list[StepRecord]) -> str:
    """Horizontal stacked bars: read + compute + write (+ other) milliseconds per step."""
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * max(len(steps), 1)))
    names = [s.name for s in steps]
    left = np.zeros(len(steps))
    parts = [
        ("read", [s.preProcessingMillis for s in steps], "#8DCC93"),
        ("compute", [s.computeMillis for s in steps], "#4C8EDA"),
        ("write", [s.writeMillis for s in steps], "#F79767"),
    ]
    other = [
        max(s.millis - s.preProcessingMillis - s.computeMillis - s.writeMillis, 0) for s in steps
    ]
    parts.append(("other", other, "#CCCCCC"))
    for label, values, color in parts:
        ax.barh(names, values, left=left, color=color, label=label)
        left += np.asarray(values, dtype=float)
    ax.invert_yaxis()
    ax.set_xlabel("milliseconds")
    ax.legend(fontsize=8, ncols=4, loc="lower right")
    fig.tight_layout()
    return _png(fig)


def _labels(config: dict[str, Any]) -> list[str]:
    """The labels a step's projection reads; none (all data nodes) for ``*`` or Cypher."""
    if config.get("nodeQuery"):
        return []
    return [x for x in config.get("nodeLabels") or ["*"] if x != "*"]


def _flatten(summary: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested summary maps as dotted keys; model details and configurations are left out."""
    out: dict[str, Any] = {}
    for key, value in summary.items():
        if key in ("modelInfo", "configuration", "trainConfig"):
            continue
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def step_section(driver: Driver, database: str | None, step: StepRecord) -> str:
    """The charts and tables of one step."""
    out = [f"<h3>{html.escape(step.name)}: {html.escape(step.procedure)} {step.mode}</h3>"]
    out.append(
        f"<p>status <b class='{step.status}'>{step.status}</b>, {step.millis} ms, "
        f"{step.nodeCount} nodes, {step.relationshipCount} relationships"
        + (f", {step.nodePropertiesWritten} properties written" if step.nodePropertiesWritten else "")
        + (f", {step.relationshipsWritten} relationships written" if step.relationshipsWritten else "")
        + "</p>"
    )  # fmt: skip
    if step.error:
        out.append(f"<pre class='error'>{html.escape(step.error)}</pre>")
    metrics = {
        k: v
        for k, v in _flatten(step.summary).items()
        if METRIC.search(k.rsplit(".", 1)[-1]) and isinstance(v, int | float)
    }
    if metrics:
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{v:.4g}</td></tr>" for k, v in metrics.items()
        )
        out.append(f"<table class='metrics'><tr><th>metric</th><th>value</th></tr>{rows}</table>")
    if step.status == "succeeded" and step.mode == "write":
        out.append(_written_chart(driver, database, step))
    details = json.dumps({"config": step.config, "summary": step.summary}, indent=1, default=str)
    out.append(
        f"<details><summary>configuration and summary</summary><pre>{html.escape(details)}</pre></details>"
    )
    return "\n".join(out)


def _written_chart(driver: Driver, database: str | None, step: StepRecord) -> str:
    try:
        proc = registry.get(step.procedure)
    except ConfigError:
        return ""
    prop = step.config.get("writeProperty")
    if not prop:
        return ""
    if proc.result == "relationship":
        rtype = step.config.get("writeRelationshipType")
        if not rtype:
            return ""
        vals = io_subgraph.relationship_property_values(driver, database, rtype, prop, SAMPLE)
        if not vals:
            return "<p>no written relationships found</p>"
        return _hist(np.asarray(vals, float), f"{rtype}.{prop} ({len(vals)} relationships)", prop)
    labels = _labels(step.config)
    vals = io_subgraph.node_property_values(driver, database, prop, SAMPLE, labels)
    if not vals:
        return "<p>no written values found</p>"
    if proc.column_type == "floatList" or isinstance(vals[0], list):
        norms = np.linalg.norm(np.asarray(vals, float), axis=1)
        dim = len(vals[0])
        return _hist(norms, f"norms of {prop} ({dim} dimensions, {len(vals)} nodes)", "L2 norm")
    if proc.category == "community" and proc.column_type == "int":
        _, sizes = np.unique(np.asarray(vals), return_counts=True)
        title = f"{prop}: {sizes.size} communities, largest {sizes.max()} of {len(vals)} nodes"
        return _hist(sizes, title, "community size (nodes)", log=sizes.size > 50)
    return _hist(np.asarray(vals, float), f"distribution of {prop} ({len(vals)} nodes)", prop)


_STYLE = """
body { font: 14px system-ui, sans-serif; margin: 24px; max-width: 980px; color: #222; }
table { border-collapse: collapse; margin: 8px 0; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
.succeeded { color: #2a7d2e; } .failed { color: #c62828; } .skipped, .cancelled { color: #888; }
pre.error { background: #fdecea; padding: 8px; white-space: pre-wrap; }
img { max-width: 100%; }
"""


def render_report(run: RunRecord, driver: Driver, database: str | None = None) -> str:
    """The report page of ``run``."""
    rows = "".join(
        f"<tr><td>{s.index + 1}</td><td>{html.escape(s.name)}</td><td>{html.escape(s.procedure)}"
        f"</td><td>{s.mode}</td><td class='{s.status}'>{s.status}</td><td>{s.millis}</td>"
        f"<td>{s.nodeCount}</td><td>{s.nodePropertiesWritten + s.relationshipsWritten}</td></tr>"
        for s in run.steps
    )
    error = f"<pre class='error'>{html.escape(run.error)}</pre>" if run.error else ""
    sections = "\n".join(step_section(driver, database, s) for s in run.steps)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>run {html.escape(run.runId)}</title>
<style>{_STYLE}</style></head><body>
<h1>Pipeline run {html.escape(run.runId)}</h1>
<table>
<tr><th>pipeline</th><td>{html.escape(run.pipeline)} ({html.escape(run.file)})</td></tr>
<tr><th>status</th><td class='{run.status}'>{run.status}</td></tr>
<tr><th>started</th><td>{run.started}</td></tr><tr><th>ended</th><td>{run.ended}</td></tr>
<tr><th>file sha256</th><td>{run.fileHash}</td></tr>
<tr><th>host, pid</th><td>{html.escape(str(run.host))}, {run.pid}</td></tr>
</table>{error}
<h2>Steps</h2>
<table><tr><th>#</th><th>step</th><th>procedure</th><th>mode</th><th>status</th><th>ms</th>
<th>nodes</th><th>written</th></tr>{rows}</table>
<h2>Timings</h2>{timing_chart(run.steps)}
<h2>Results</h2>
{sections}
</body></html>
"""


def build_report(driver: Driver, run_id: str, database: str | None = None) -> str:
    """Load run ``run_id`` from Neo4j and render its report."""
    return render_report(load_run(driver, database, run_id), driver, database)
