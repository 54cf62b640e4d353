"""Batch enrichment pipelines: a YAML file of projections and steps, validated, run, recorded.

::

    from neo4j_gml.pipeline import load_pipeline, run_pipeline
    run = run_pipeline(load_pipeline("enrich.yaml"))
    print(run.status, [s.status for s in run.steps])
"""

from neo4j_gml.pipeline.execute import run_pipeline
from neo4j_gml.pipeline.loader import Pipeline, PipelineError, Step, load_pipeline, load_text
from neo4j_gml.pipeline.records import RunRecord, StepRecord

__all__ = [
    "Pipeline",
    "PipelineError",
    "RunRecord",
    "Step",
    "StepRecord",
    "load_pipeline",
    "load_text",
    "run_pipeline",
]
