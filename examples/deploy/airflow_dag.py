"""Airflow: the fraud-rings pipeline as a nightly DAG.

Copy this file into the DAGs folder of an Airflow 2.x installation on a machine that has
``neo4j-gml`` installed, and set the connection variables (``NEO4J_URI``, ``NEO4J_USER``,
``NEO4J_PASSWORD``) in the worker's environment. The task fails when ``enrich`` exits non-zero
(invalid file, failed step, Neo4j unreachable); ``max_active_runs=1`` and the pipeline's own
lock keep runs apart. The dry run first logs the plan with the memory estimate of each step.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

PIPELINE = "/opt/neo4j-gml/examples/fraud_rings/pipeline.yaml"
STATE = "/var/lib/neo4j-gml"

with DAG(
    dag_id="neo4j_gml_fraud_rings",
    description="nightly graph enrichment: identity clusters, money communities, shared identity",
    schedule="0 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=10)},
    tags=["neo4j", "graph-ml"],
) as dag:
    plan = BashOperator(
        task_id="plan",
        bash_command=f"neo4j-gml enrich {PIPELINE} --dry-run",
    )
    enrich = BashOperator(
        task_id="enrich",
        bash_command=f"neo4j-gml enrich {PIPELINE} --state-dir {STATE} --json",
        execution_timeout=timedelta(hours=2),
    )
    report = BashOperator(
        task_id="report",
        bash_command="neo4j-gml report latest --pipeline fraud-rings "
        "--out /var/lib/neo4j-gml/reports/fraud-rings-{{ ds }}.html",
    )
    plan >> enrich >> report
