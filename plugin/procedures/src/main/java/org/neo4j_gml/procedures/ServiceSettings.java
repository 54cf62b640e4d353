package org.neo4j_gml.procedures;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Where the service is and how to talk to it. For each of url, token and timeout the first of:
 * the {@code gml.service.*} line of {@code neo4j.conf}, the environment variable
 * {@code GML_SERVICE_*} of the Neo4j process, the default ({@code http://127.0.0.1:7475}, no
 * token, 3600 s).
 *
 * <p>Neo4j 5 lets a plugin declare settings only in its own namespaces ({@code dbms.}, {@code
 * db.}, {@code server.}, ...), so {@code gml.*} is not a declared setting: the plugin reads the
 * lines itself from {@code $NEO4J_CONF/neo4j.conf} or {@code <neo4j home>/conf/neo4j.conf}. A
 * packaged Neo4j with strict configuration validation (its default) refuses unknown keys, so
 * there either set {@code server.config.strict_validation.enabled=false} or use the environment
 * variables.
 */
public record ServiceSettings(URI url, String token, Duration timeout) {

    public static final String DEFAULT_URL = "http://127.0.0.1:7475";
    public static final long DEFAULT_TIMEOUT_SECONDS = 3600;

    public static ServiceSettings resolve(GraphDatabaseService db) {
        return resolve(ConfFile.settings(confFile(db)), System.getenv());
    }

    static ServiceSettings resolve(Map<String, String> conf, Map<String, String> env) {
        String url = firstNonBlank(conf.get("gml.service.url"), env.get("GML_SERVICE_URL"));
        String token = firstNonBlank(conf.get("gml.service.token"), env.get("GML_SERVICE_TOKEN"));
        String rawTimeout = firstNonBlank(conf.get("gml.service.timeout"), env.get("GML_SERVICE_TIMEOUT"));
        long seconds = DEFAULT_TIMEOUT_SECONDS;
        if (rawTimeout != null) {
            String t = rawTimeout.endsWith("s") ? rawTimeout.substring(0, rawTimeout.length() - 1) : rawTimeout;
            try {
                seconds = (long) Math.ceil(Double.parseDouble(t.trim()));
            } catch (NumberFormatException e) {
                throw new GmlServiceException("gml.service.timeout / GML_SERVICE_TIMEOUT is not a number of seconds: "
                        + rawTimeout);
            }
            if (seconds <= 0) seconds = DEFAULT_TIMEOUT_SECONDS;
        }
        if (url == null) url = DEFAULT_URL;
        while (url.endsWith("/")) url = url.substring(0, url.length() - 1);
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new GmlServiceException("gml.service.url / GML_SERVICE_URL is not a URL: " + url);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new GmlServiceException("gml.service.url / GML_SERVICE_URL must be an http(s) URL: " + url);
        }
        return new ServiceSettings(uri, token, Duration.ofSeconds(seconds));
    }

    static Path confFile(GraphDatabaseService db) {
        String confDir = System.getenv("NEO4J_CONF");
        if (confDir != null && !confDir.isBlank()) {
            return Path.of(confDir).resolve(Config.DEFAULT_CONFIG_FILE_NAME);
        }
        try {
            if (db instanceof GraphDatabaseAPI api) {
                Config config = api.getDependencyResolver().resolveDependency(Config.class);
                Path home = config.get(GraphDatabaseSettings.neo4j_home);
                return home.resolve(Config.DEFAULT_CONFIG_DIR_NAME).resolve(Config.DEFAULT_CONFIG_FILE_NAME);
            }
        } catch (RuntimeException | LinkageError e) {
            // no home known: environment variables only
        }
        return null;
    }

    static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) return a.trim();
        if (b != null && !b.isBlank()) return b.trim();
        return null;
    }

    /** The {@code gml.*} lines of a neo4j.conf, re-read when the file changes. */
    static final class ConfFile {
        private static Path cachedPath;
        private static long cachedStamp = Long.MIN_VALUE;
        private static Map<String, String> cached = Map.of();

        static synchronized Map<String, String> settings(Path file) {
            if (file == null || !Files.isRegularFile(file)) return Map.of();
            long stamp;
            try {
                stamp = Files.getLastModifiedTime(file).toMillis() ^ Files.size(file);
            } catch (IOException e) {
                return Map.of();
            }
            if (file.equals(cachedPath) && stamp == cachedStamp) return cached;
            Map<String, String> out = new HashMap<>();
            try {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (String line : lines) {
                    String l = line.strip();
                    if (l.isEmpty() || l.startsWith("#")) continue;
                    int eq = l.indexOf('=');
                    if (eq <= 0) continue;
                    String key = l.substring(0, eq).strip();
                    if (key.startsWith("gml.")) out.put(key, l.substring(eq + 1).strip());
                }
            } catch (IOException e) {
                return Map.of();
            }
            cachedPath = file;
            cachedStamp = stamp;
            cached = Map.copyOf(out);
            return cached;
        }
    }
}
