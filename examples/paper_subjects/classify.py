"""Run the paper-subjects pipeline and draw the result.

    python examples/paper_subjects/classify.py [out-dir]

Loads Cora (two thirds of the subjects hidden), runs ``pipeline.yaml`` (pageRank; train a
subject classifier with an in-memory fastRP step; predict and write ``predictedSubject``),
prints the accuracy on the papers whose subject was hidden, and draws the most cited papers
and their neighbours coloured by predicted subject (``subjects.png``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from neo4j_gml.io.connection import Connection
from neo4j_gml.pipeline import load_pipeline, run_pipeline
from neo4j_gml.views.picture import render_png
from neo4j_gml.views.subgraph import fetch_subgraph

HERE = Path(__file__).resolve().parent


def _load():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("paper_subjects_load", HERE / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def classify(driver, out_dir: Path) -> dict[str, float]:  # noqa: ANN001
    """Load, run, check and draw; the accuracy on the hidden papers and the run's test score."""
    print(_load().load(driver))
    driver.execute_query(
        "CALL gml.model.drop({modelName: 'paper-subjects', failIfMissing: false}) "
        "YIELD modelName RETURN count(*)"
    )
    run = run_pipeline(load_pipeline(HERE / "pipeline.yaml"), driver=driver, progress=None)
    if run.status != "succeeded":
        raise SystemExit(f"the run failed: {run.error}")
    rows, _, _ = driver.execute_query(
        "MATCH (p:Paper) WHERE p.subject IS NULL RETURN avg(CASE WHEN p.predictedSubject = "
        "p.trueSubject THEN 1.0 ELSE 0.0 END) AS accuracy, count(*) AS hidden"
    )
    sub = fetch_subgraph(driver, "pagerank", "predictedSubject", label="Paper", top=40)
    out_dir.mkdir(parents=True, exist_ok=True)
    render_png(sub, out_dir / "subjects.png", title="Cora: predicted subjects of the most cited")
    train = next(s for s in run.steps if s.name == "train")
    return {
        "hiddenAccuracy": float(rows[0]["accuracy"]),
        "hidden": int(rows[0]["hidden"]),
        "testAccuracy": float(train.summary["testMetrics"]["ACCURACY"]),
    }


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    with Connection.from_env().driver() as drv:
        found = classify(drv, out)
    print(
        f"{found['hidden']} papers had no subject: {found['hiddenAccuracy']:.1%} predicted right "
        f"(held-out test accuracy {found['testAccuracy']:.1%}); picture: {out / 'subjects.png'}"
    )
