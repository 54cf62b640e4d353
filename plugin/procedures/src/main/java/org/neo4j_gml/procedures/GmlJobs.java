package org.neo4j_gml.procedures;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * {@code gml.job.list()} and {@code gml.job.cancel(jobId)}: the service's running jobs, and
 * cancelling one (it stops at its next check and writes no batch after it). A call's job id is
 * its config's {@code jobId} when given, else a random UUID. {@code gml.listProgress([jobId])}
 * shows the same jobs with GDS's {@code gds.listProgress} columns.
 */
public class GmlJobs {
    @Context
    public GraphDatabaseService db;

    public static class JobRow {
        public String jobId;
        public String procedure;
        public String mode;
        public String user;
        public String phase;
        public Boolean cancelled;
        public Long rowsWritten;
        public Long rowsToWrite;
        public Double seconds;

        JobRow(Map<?, ?> m) {
            jobId = Convert.toStr(m.get("jobId"));
            procedure = Convert.toStr(m.get("procedure"));
            mode = Convert.toStr(m.get("mode"));
            user = Convert.toStr(m.get("user"));
            phase = Convert.toStr(m.get("phase"));
            cancelled = Boolean.TRUE.equals(m.get("cancelled"));
            rowsWritten = Convert.toLong(m.get("rowsWritten"));
            rowsToWrite = Convert.toLong(m.get("rowsToWrite"));
            seconds = Convert.toDouble(m.get("seconds"));
        }
    }

    @Procedure(name = "gml.job.list", mode = Mode.READ)
    @Description("gml.job.list() - the jobs the neo4j_gml service runs now: jobId, procedure, mode, user, "
            + "phase, cancelled, rowsWritten, rowsToWrite, seconds")
    public Stream<JobRow> list() {
        Map<String, Object> answer = ServiceClient.jobs(ServiceSettings.resolve(db));
        Object jobs = answer == null ? null : answer.get("jobs");
        if (!(jobs instanceof List<?> list)) return Stream.empty();
        return list.stream().filter(j -> j instanceof Map<?, ?>).map(j -> new JobRow((Map<?, ?>) j));
    }

    /** GDS's {@code gds.listProgress} row: every column a string, as there. */
    public static class ProgressRow {
        public String jobId;
        public String taskName;
        public String progress;
        public String progressBar;
        public String status;
        public String timeStarted;
        public String elapsedTime;

        ProgressRow(Map<?, ?> m) {
            jobId = Convert.toStr(m.get("jobId"));
            taskName = Convert.toStr(m.get("taskName"));
            progress = Convert.toStr(m.get("progress"));
            progressBar = Convert.toStr(m.get("progressBar"));
            status = Convert.toStr(m.get("status"));
            timeStarted = Convert.toStr(m.get("timeStarted"));
            elapsedTime = Convert.toStr(m.get("elapsedTime"));
        }
    }

    @Procedure(name = "gml.listProgress", mode = Mode.READ)
    @Description("gml.listProgress([jobId]) - the progress of the jobs the neo4j_gml service runs now, as "
            + "GDS's gds.listProgress: jobId, taskName, progress, progressBar, status, timeStarted, "
            + "elapsedTime; with a jobId, only that job's row (none when no job has it)")
    public Stream<ProgressRow> listProgress(@Name(value = "jobId", defaultValue = "") String jobId) {
        Map<String, Object> answer = ServiceClient.jobs(ServiceSettings.resolve(db), "gml.listProgress");
        Object jobs = answer == null ? null : answer.get("jobs");
        if (!(jobs instanceof List<?> list)) return Stream.empty();
        boolean all = jobId == null || jobId.isBlank();
        return list.stream()
                .filter(j -> j instanceof Map<?, ?>)
                .map(j -> (Map<?, ?>) j)
                .filter(j -> all || jobId.equals(Convert.toStr(j.get("jobId"))))
                .map(ProgressRow::new);
    }

    @Procedure(name = "gml.job.cancel", mode = Mode.READ)
    @Description("gml.job.cancel(jobId) - cancel a running job of the neo4j_gml service (its row, with "
            + "cancelled = true); nothing is written after the cancel. Fails when no job has this id.")
    public Stream<JobRow> cancel(@Name("jobId") String jobId) {
        if (jobId == null || jobId.isBlank()) {
            throw new GmlServiceException("gml.job.cancel: jobId must be a non-empty string");
        }
        Map<String, Object> row = ServiceClient.cancel(ServiceSettings.resolve(db), jobId);
        if (row == null) {
            throw new GmlServiceException("gml.job.cancel: no job with id '" + jobId
                    + "' is running (gml.job.list() shows the running jobs)");
        }
        return Stream.of(new JobRow(row));
    }
}
