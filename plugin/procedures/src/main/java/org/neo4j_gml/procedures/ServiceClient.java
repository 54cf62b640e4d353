package org.neo4j_gml.procedures;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
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
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Forwards a procedure call to the Python service and reads its answer.
 *
 * <p>{@code POST <url>/procedures/<name>/<mode>} with {@code {"config", "database", "user"}} and
 * {@code Authorization: Bearer <token>}. The answer is NDJSON: one {@code {"row": {...}}} line per
 * row, then {@code {"end": {...}}}; a failure after the rows began is an {@code {"error": {...}}}
 * line. A stream without its end line (the service died) fails the call.
 */
public final class ServiceClient {
    private ServiceClient() {}

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

    /** Runs {@code procedure} in {@code mode} on the service; the rows as plain maps, lazily. */
    public static Stream<Map<String, Object>> call(
            ServiceSettings settings,
            String procedure,
            String mode,
            Map<String, Object> config,
            String database,
            String user) {
        String callName = "gml." + procedure + "." + mode;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("config", Convert.config(config));
        body.put("database", database);
        body.put("user", user);
        URI target = settings.url().resolve(settings.url().getPath() + "/procedures/" + procedure + "/" + mode);
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(Json.encode(body), StandardCharsets.UTF_8));
        if (settings.token() != null) {
            request.header("Authorization", "Bearer " + settings.token());
        }
        HttpResponse<InputStream> response = send(settings, request.build(), callName);
        if (response.statusCode() != 200) {
            throw new GmlServiceException(errorMessage(settings, response, callName));
        }
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8), 1 << 16);
        RowIterator rows = new RowIterator(reader, settings.url(), callName);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED), false)
                .onClose(rows::close);
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

    private static HttpResponse<InputStream> send(ServiceSettings settings, HttpRequest request, String callName) {
        try {
            return client().send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new GmlServiceException(unreachable(settings, callName, "connection timed out"));
        } catch (HttpTimeoutException e) {
            throw new GmlServiceException(
                    callName + ": the neo4j_gml service at " + settings.url() + " did not answer within "
                            + settings.timeout().toSeconds() + " s (gml.service.timeout)");
        } catch (ConnectException e) {
            throw new GmlServiceException(unreachable(settings, callName, "connection refused"));
        } catch (IOException e) {
            throw new GmlServiceException(unreachable(settings, callName, String.valueOf(e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GmlServiceException(callName + ": interrupted while waiting for the neo4j_gml service");
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

    /** Reads NDJSON lines until the end line; fails when the stream stops early. */
    private static final class RowIterator implements Iterator<Map<String, Object>> {
        private final BufferedReader reader;
        private final URI url;
        private final String callName;
        private Map<String, Object> next;
        private boolean finished;

        RowIterator(BufferedReader reader, URI url, String callName) {
            this.reader = reader;
            this.url = url;
            this.callName = callName;
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
                String line;
                try {
                    line = reader.readLine();
                } catch (IOException | UncheckedIOException e) {
                    close();
                    throw new GmlServiceException(brokenStream(e.getMessage()));
                }
                if (line == null) {
                    close();
                    throw new GmlServiceException(brokenStream("no end marker"));
                }
                if (line.isBlank()) continue;
                Object decoded = Json.decode(line);
                if (!(decoded instanceof Map<?, ?> m)) {
                    close();
                    throw new GmlServiceException(callName + ": unexpected line from the service: " + line);
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

        private String brokenStream(String why) {
            return callName + ": the neo4j_gml service at " + url + " ended the result stream before"
                    + " its end (" + why + "); was the service stopped?";
        }

        void close() {
            finished = true;
            try {
                reader.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }
}
