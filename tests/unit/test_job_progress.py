"""GDS's listProgress columns of a job, from the counters the runner keeps."""

from __future__ import annotations

from neo4j_gml.procedures.jobs import Job


def test_progress_follows_the_read_and_write_counters() -> None:
    job = Job("pageRank", "write")
    row = job.describe()
    assert (row["taskName"], row["status"], row["progress"]) == (
        "gml.pageRank.write: queued",
        "PENDING",
        "n/a",
    )
    job.enter("read")
    job.expect_reads(200)
    job.add_read(50)
    row = job.describe()
    assert (row["status"], row["progress"], row["progressBar"]) == (
        "RUNNING",
        "25.00%",
        "[##~~~~~~~~]",
    )
    job.enter("compute")
    assert job.describe()["progress"] == "n/a"  # no known volume, as in GDS
    job.enter("write", 10)
    job.add_written(10)
    assert job.describe()["progressBar"] == "[##########]"
    job.finish()
    assert (job.describe()["status"], job.describe()["progress"]) == ("FINISHED", "100.00%")


def test_a_cancelled_job_says_so() -> None:
    job = Job("wcc", "stream")
    job.enter("read")
    job.cancel("test")
    assert job.describe()["status"] == "CANCELLED"
    assert job.describe()["elapsedTime"].endswith(" s")
