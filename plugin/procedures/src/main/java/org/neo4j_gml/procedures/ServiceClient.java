package org.neo4j_gml.procedures;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.neo4j.graphdb.TransactionTerminatedException;
import org.neo4j.kernel.api.exceptions.Status;

/**
 * Forwards a procedure call to the Python service as a job and reads its answer.
 *
 * <p>{@code POST <url>/procedures/<name>/<mode>} with {@code {"config", "database", "user",
 * "jobId", "graph", "admin"}} ({@code graph}: the catalog graph to run on, only when one was
 * named; {@code admin}: whether the caller administers the DBMS) and {@code Authorization:
 * Bearer <token>}. The answer is NDJSON: {@code
 * {"progress": {...}}} lines while the job runs, one {@code {"row": {...}}} line per row, then
 * {@code {"end": {...}}}; a failure is an {@code {"error": {...}}} line. A stream without its end
 * line (the service died) fails the call, saying how many rows the job had written.
 *
 * <p>The calling thread never blocks on the network for long: it waits for the answer and for
 * each line in steps of {@link #POLL_MILLIS}, and between them asks whether the caller's
 * transaction was terminated (killed, timed out, its client gone). If it was, it sends {@code
 * POST <url>/jobs/<jobId>/cancel}, closes the connection (which cancels the job too) and fails
 * with Neo4j's own termination error.
 */
public final class ServiceClient {
    private ServiceClient() {}

    static final long POLL_MILLIS = 100;

    private static volatile HttpClient client;

    private static HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (ServiceClient.class) {
                if (client == null) {
                    client = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(10))
                            .build();
                }
                c = client;
            }
        }
        return c;
    }

    /**
     * Runs {@code procedure} in {@code mode} on the service as job {@code jobId}; the rows as
     * plain maps, lazily. {@code termination} says why the caller's transaction was terminated,
     * or null while it runs.
     */
    public static Stream<Map<String, Object>> call(
            ServiceSettings settings,
            String procedure,
            String mode,
            Map<String, Object> config,
            String graph,
            String database,
            String user,
            boolean admin,
            String jobId,
            Supplier<Status> termination) {
        String callName = "gml." + procedure + "." + mode;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("config", Convert.config(config));
        body.put("database", database);
        body.put("user", user);
        body.put("jobId", jobId);
        if (graph != null) body.put("graph", graph);
        body.put("admin", admin);
        URI target = settings.url().resolve(settings.url().getPath() + "/procedures/" + procedure + "/" + mode);
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(Json.encode(body), StandardCharsets.UTF_8));
        authorize(settings, request);
        HttpResponse<InputStream> response =
                await(settings, request.build(), callName, jobId, termination);
        if (response.statusCode() != 200) {
            throw new GmlServiceException(errorMessage(settings, response, callName));
        }
        RowIterator rows = new RowIterator(response.body(), settings, callName, jobId, termination);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED), false)
                .onClose(rows::close);
    }

    /** {@code POST <url>/jobs/<jobId>/cancel}: the job's row, or null when the service has none. */
    public static Map<String, Object> cancel(ServiceSettings settings, String jobId) {
        return small(settings, "POST", "/jobs/" + pathSegment(jobId) + "/cancel", "gml.job.cancel");
    }

    /** {@code GET <url>/jobs}: slots, queue and the running jobs. */
    public static Map<String, Object> jobs(ServiceSettings settings) {
        return jobs(settings, "gml.job.list");
    }

    /** {@code GET <url>/jobs}, for the procedure {@code callName}. */
    public static Map<String, Object> jobs(ServiceSettings settings, String callName) {
        return small(settings, "GET", "/jobs", callName);
    }

    private static void authorize(ServiceSettings settings, HttpRequest.Builder request) {
        if (settings.token() != null) {
            request.header("Authorization", "Bearer " + settings.token());
        }
    }

    private static String pathSegment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> small(ServiceSettings settings, String method, String path, String callName) {
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.url().resolve(settings.url().getPath() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        authorize(settings, request);
        HttpResponse<String> response = send(settings, request.build(), HttpResponse.BodyHandlers.ofString(), callName);
        if (response.statusCode() == 404) return null;
        if (response.statusCode() != 200) {
            throw new GmlServiceException(callName + ": the neo4j_gml service answered "
                    + response.statusCode() + ": " + response.body());
        }
        Object decoded = Json.decode(response.body());
        return decoded instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    /**
     * {@code POST <url><path>} with a small JSON {@code body} (a per-row function's request): the
     * decoded JSON object of a 200 answer. Any other answer fails with the service's
     * {@code detail} after {@code callName}.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> postJson(
            ServiceSettings settings, String path, Map<String, Object> body, String callName) {
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.url().resolve(settings.url().getPath() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.encode(body), StandardCharsets.UTF_8));
        authorize(settings, request);
        HttpResponse<InputStream> response =
                send(settings, request.build(), HttpResponse.BodyHandlers.ofInputStream(), callName);
        if (response.statusCode() != 200) {
            String message = errorMessage(settings, response, callName);  // a 401's names callName
            throw new GmlServiceException(response.statusCode() == 401 ? message : callName + ": " + message);
        }
        String text;
        try (InputStream in = response.body()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new GmlServiceException(unreachable(settings, callName, why(e)));
        }
        Object decoded;
        try {
            decoded = Json.decode(text);
        } catch (RuntimeException e) {
            decoded = null;
        }
        if (!(decoded instanceof Map<?, ?> answer)) {
            throw new GmlServiceException(callName + ": " + text);
        }
        return (Map<String, Object>) answer;
    }

    /** One short request; an unreachable service or an interrupt fails the call {@code callName}. */
    private static <T> HttpResponse<T> send(
            ServiceSettings settings, HttpRequest request, HttpResponse.BodyHandler<T> handler, String callName) {
        try {
            return client().send(request, handler);
        } catch (IOException e) {
            throw new GmlServiceException(unreachable(settings, callName, why(e)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GmlServiceException(callName + ": interrupted while waiting for the neo4j_gml service");
        }
    }

    /** Best effort: tell the service to cancel {@code jobId}; never throws. */
    static void cancelQuietly(ServiceSettings settings, String jobId) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(settings.url().resolve(
                            settings.url().getPath() + "/jobs/" + pathSegment(jobId) + "/cancel"))
                    .timeout(Duration.ofSeconds(3))
                    .POST(HttpRequest.BodyPublishers.noBody());
            authorize(settings, request);
            client().send(request.build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException | RuntimeException e) {
            // the connection is closed right after, which cancels the job as well
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the answer's headers, watching the caller's transaction meanwhile. */
    private static HttpResponse<InputStream> await(
            ServiceSettings settings,
            HttpRequest request,
            String callName,
            String jobId,
            Supplier<Status> termination) {
        CompletableFuture<HttpResponse<InputStream>> pending =
                client().sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        while (true) {
            try {
                return pending.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                Status reason = termination.get();
                if (reason != null) {
                    pending.cancel(true);
                    cancelQuietly(settings, jobId);
                    throw new TransactionTerminatedException(reason);
                }
            } catch (ExecutionException e) {
                throw failure(settings, callName, e.getCause());
            } catch (InterruptedException e) {
                pending.cancel(true);
                cancelQuietly(settings, jobId);
                Thread.currentThread().interrupt();
                throw new GmlServiceException(callName + ": interrupted while waiting for the neo4j_gml service");
            }
        }
    }

    private static GmlServiceException failure(ServiceSettings settings, String callName, Throwable cause) {
        if (cause instanceof HttpConnectTimeoutException) {
            return new GmlServiceException(unreachable(settings, callName, "connection timed out"));
        }
        if (cause instanceof HttpTimeoutException) {
            return new GmlServiceException(
                    callName + ": the neo4j_gml service at " + settings.url() + " did not answer within "
                            + settings.timeout().toSeconds() + " s (gml.service.timeout)");
        }
        if (cause instanceof ConnectException) {
            return new GmlServiceException(unreachable(settings, callName, "connection refused"));
        }
        // Connected, then the connection broke before any answer: the service died or restarted.
        return new GmlServiceException(callName + ": the connection to the neo4j_gml service at "
                + settings.url() + " broke before it answered (" + why(cause) + "); was the service"
                + " stopped? Nothing was written by this call before it answered.");
    }

    private static String why(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** {@code GET <url>/health}: the service's version, or {@code null} when it does not answer. */
    public static String serviceVersion(ServiceSettings settings) {
        try {
            HttpRequest request = HttpRequest.newBuilder(settings.url().resolve(settings.url().getPath() + "/health"))
                    .timeout(Duration.ofSeconds(3))
                    .GET()
                    .build();
            HttpResponse<String> response = client().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) return null;
            Object decoded = Json.decode(response.body());
            return decoded instanceof Map<?, ?> m ? Convert.toStr(m.get("version")) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String unreachable(ServiceSettings settings, String callName, String why) {
        return callName + ": the neo4j_gml service at " + settings.url() + " is not reachable (" + why
                + "); start it with `neo4j-gml serve` or set gml.service.url / GML_SERVICE_URL";
    }

    private static String errorMessage(ServiceSettings settings, HttpResponse<InputStream> response, String callName) {
        String text;
        try (InputStream in = response.body()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = "";
        }
        String detail = text;
        try {
            Object decoded = Json.decode(text);
            if (decoded instanceof Map<?, ?> m && m.get("detail") != null) {
                Object d = m.get("detail");
                detail = d instanceof String s ? s : Json.encode(d);
            }
        } catch (RuntimeException ignored) {
            // not JSON: keep the raw text
        }
        int status = response.statusCode();
        if (status == 401) {
            return callName + ": the neo4j_gml service at " + settings.url()
                    + " rejected the token; set gml.service.token (or GML_SERVICE_TOKEN of the Neo4j"
                    + " process) to the service's GML_SERVICE_TOKEN";
        }
        if (detail.length() > 2000) detail = detail.substring(0, 2000) + "...";
        return detail.strip() + (status >= 500 ? " (service status " + status + ")" : "");
    }

    /**
     * Reads NDJSON lines until the end line; fails when the stream stops early. A daemon thread
     * reads the socket into a bounded queue; the caller's thread takes lines from it in steps of
     * {@link #POLL_MILLIS} and checks its transaction between them.
     */
    private static final class RowIterator implements Iterator<Map<String, Object>> {
        private static final Object END_OF_STREAM = new Object();
        private static final AtomicLong READERS = new AtomicLong();

        private final InputStream in;
        private final ServiceSettings settings;
        private final String callName;
        private final String jobId;
        private final Supplier<Status> termination;
        private final BlockingQueue<Object> lines = new ArrayBlockingQueue<>(1024);
        private volatile boolean closed;
        private Map<String, Object> next;
        private boolean finished;
        private String phase = "queued";
        private long rowsWritten;
        private long rowsToWrite;

        RowIterator(InputStream in, ServiceSettings settings, String callName, String jobId,
                Supplier<Status> termination) {
            this.in = in;
            this.settings = settings;
            this.callName = callName;
            this.jobId = jobId;
            this.termination = termination;
            Thread reader = new Thread(this::pump, "gml-service-reader-" + READERS.incrementAndGet());
            reader.setDaemon(true);
            reader.start();
        }

        private void pump() {
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (!offer(line)) return;
                }
                offer(END_OF_STREAM);
            } catch (IOException | UncheckedIOException e) {
                offer(e);
            }
        }

        private boolean offer(Object item) {
            try {
                while (!closed) {
                    if (lines.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        @Override
        public boolean hasNext() {
            if (next != null) return true;
            if (finished) return false;
            advance();
            return next != null;
        }

        @Override
        public Map<String, Object> next() {
            if (!hasNext()) throw new NoSuchElementException();
            Map<String, Object> row = next;
            next = null;
            return row;
        }

        @SuppressWarnings("unchecked")
        private void advance() {
            while (true) {
                Object item;
                try {
                    item = lines.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    close();
                    cancelQuietly(settings, jobId);
                    throw new GmlServiceException(callName + ": interrupted while waiting for the neo4j_gml service");
                }
                if (item == null) {
                    Status reason = termination.get();
                    if (reason != null) {
                        close();
                        cancelQuietly(settings, jobId);
                        throw new TransactionTerminatedException(reason);
                    }
                    continue;
                }
                if (item == END_OF_STREAM) {
                    close();
                    throw new GmlServiceException(brokenStream("no end marker"));
                }
                if (item instanceof Exception e) {
                    close();
                    throw new GmlServiceException(brokenStream(why(e)));
                }
                String line = (String) item;
                if (line.isBlank()) continue;
                Object decoded = Json.decode(line);
                if (!(decoded instanceof Map<?, ?> m)) {
                    close();
                    throw new GmlServiceException(callName + ": unexpected line from the service: " + line);
                }
                if (m.get("progress") instanceof Map<?, ?> p) {
                    phase = String.valueOf(p.get("phase"));
                    rowsWritten = number(p.get("rowsWritten"));
                    rowsToWrite = number(p.get("rowsToWrite"));
                    continue;
                }
                if (m.containsKey("row")) {
                    next = (Map<String, Object>) m.get("row");
                    return;
                }
                if (m.containsKey("end")) {
                    close();
                    return;
                }
                if (m.containsKey("error")) {
                    close();
                    Object err = m.get("error");
                    String message = err instanceof Map<?, ?> em ? Convert.toStr(em.get("message")) : Convert.toStr(err);
                    throw new GmlServiceException(message);
                }
            }
        }

        private static long number(Object value) {
            return value instanceof Number n ? n.longValue() : 0L;
        }

        private String brokenStream(String why) {
            String where = "write".equals(phase)
                    ? " while writing, after " + rowsWritten + " of " + rowsToWrite + " rows had"
                            + " been written (each batch whole; running the write again completes it)"
                    : " (the job was in its '" + phase + "' phase)";
            return callName + ": the neo4j_gml service at " + settings.url() + " ended the result stream"
                    + " before its end (" + why + ")" + where + "; was the service stopped?";
        }

        void close() {
            if (closed) return;
            closed = true;
            finished = true;
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }
}
