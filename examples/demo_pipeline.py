"""The pipeline demo: start the local Neo4j, load Les Misérables, run a pipeline, draw it.

Runs ``examples/les_miserables/pipeline.yaml`` (pageRank, louvain and degree sharing one read
of the graph) end to end, records the run as ``(:GmlRun)-[:HAS_STEP]->(:GmlStep)``, and writes

* ``demo-output/lesmis.png`` and ``demo-output/lesmis.html``: the top 25 characters by pageRank
  and their neighbours, sized by pageRank, coloured by community;
* ``demo-output/report.html``: the report of the run;
* ``demo-output/lesmis.perspective.json``: a Bloom perspective (import it in Bloom).

Run it with ``python examples/demo_pipeline.py [OUTPUT_DIR]`` inside the virtual environment.
With ``NEO4J_URI`` set it uses that server instead of starting the local one.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

from neo4j_gml import local_neo4j
from neo4j_gml.bloom import perspective, read_schema, rules_summary
from neo4j_gml.io.connection import Connection
from neo4j_gml.pipeline import load_pipeline, run_pipeline
from neo4j_gml.views.html import render_html
from neo4j_gml.views.picture import render_png
from neo4j_gml.views.report import render_report
from neo4j_gml.views.subgraph import fetch_subgraph

HERE = Path(__file__).resolve().parent


def _loader():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("lesmis_load", HERE / "les_miserables/load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load


def main(out_dir: str = "demo-output") -> int:
    uri = os.environ.get("NEO4J_URI") or local_neo4j.start()
    print(f"Neo4j is up at {uri}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pipeline = load_pipeline(HERE / "les_miserables" / "pipeline.yaml")
    connection = Connection.from_env(uri=uri)
    with connection.driver() as driver:
        print(f"loaded Les Misérables: {_loader()(driver)}")
        run = run_pipeline(pipeline, driver=driver, database=connection.database)
        if run.status != "succeeded":
            print(f"the run failed: {run.error}", file=sys.stderr)
            return 1
        sub = fetch_subgraph(driver, "pagerank", "community", label="Character", top=25)
        png = render_png(sub, out / "lesmis.png", title="Les Misérables: pageRank and communities")
        page = render_html(sub, out / "lesmis.html", title="Les Misérables")
        (out / "report.html").write_text(render_report(run, driver, connection.database))
        persp = perspective(read_schema(driver, connection.database), name="Les Misérables")
        (out / "lesmis.perspective.json").write_text(json.dumps(persp, indent=2))
        records, _, _ = driver.execute_query(
            "MATCH (c:Character) RETURN c.name AS name, c.pagerank AS rank, "
            "c.community AS community ORDER BY rank DESC LIMIT 5"
        )
    print("\ntop 5 characters by pageRank:")
    for r in records:
        print(f"  {r['name']:<14} {r['rank']:6.3f}   community {r['community']}")
    print(f"\nrun {run.runId}: {[f'{s.name} {s.millis} ms' for s in run.steps]}")
    print(f"picture: {png}\ninteractive page: {page}\nreport: {out / 'report.html'}")
    print(f"Bloom perspective: {out / 'lesmis.perspective.json'}")
    for line in rules_summary(persp):
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
