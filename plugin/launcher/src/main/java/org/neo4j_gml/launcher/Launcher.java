package org.neo4j_gml.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Starts an embedded Neo4j Community DBMS with Bolt on 127.0.0.1 and auth on, and blocks until the JVM
 * is told to stop (SIGTERM / SIGINT), when it shuts the DBMS down cleanly.
 *
 * <p>Arguments: {@code --home DIR} (required), {@code --port N} (0 = any free port, default 7687),
 * {@code --password P} (else env {@code NEO4J_PASSWORD}), {@code --unrestricted LIST} (for
 * {@code dbms.security.procedures.unrestricted}), {@code --conf FILE} (default
 * {@code <home>/conf/neo4j.conf}; lines {@code key=value}, passed through unvalidated), and any number of
 * {@code --set key=value}. When Bolt accepts connections, the bound port is written to
 * {@code <home>/run/bolt.port}.
 */
public final class Launcher {

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Path home = null;
        int port = 7687;
        String password = System.getenv("NEO4J_PASSWORD");
        String unrestricted = null;
        Path conf = null;
        Map<String, String> sets = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--home" -> { home = Path.of(need(a, v)); i++; }
                case "--port" -> { port = Integer.parseInt(need(a, v)); i++; }
                case "--password" -> { password = need(a, v); i++; }
                case "--unrestricted" -> { unrestricted = need(a, v); i++; }
                case "--conf" -> { conf = Path.of(need(a, v)); i++; }
                case "--set" -> {
                    String kv = need(a, v);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set needs key=value, got " + kv);
                    }
                    sets.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
                    i++;
                }
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (home == null) {
            throw new IllegalArgumentException("--home DIR is required");
        }
        home = home.toAbsolutePath();
        if (conf == null) {
            conf = home.resolve("conf").resolve("neo4j.conf");
        }
        Path runDir = home.resolve("run");
        Path portFile = runDir.resolve("bolt.port");
        Files.createDirectories(runDir);
        Files.createDirectories(home.resolve("plugins"));
        Files.deleteIfExists(portFile);

        // Defaults, then the conf file, then command-line settings: later ones win.
        Map<String, String> cfg = new LinkedHashMap<>();
        cfg.put(GraphDatabaseSettings.strict_config_validation.name(), "false");
        cfg.put(BoltConnector.enabled.name(), "true");
        cfg.put(BoltConnector.listen_address.name(), "127.0.0.1:" + port);
        cfg.put(BoltConnector.advertised_address.name(), "127.0.0.1:" + port);
        cfg.put(HttpConnector.enabled.name(), "false");
        cfg.put(HttpsConnector.enabled.name(), "false");
        cfg.put(GraphDatabaseSettings.auth_enabled.name(), "true");
        cfg.put(GraphDatabaseSettings.pagecache_memory.name(), "256m");
        cfg.put(GraphDatabaseSettings.keep_logical_logs.name(), "128m size");
        cfg.put(GraphDatabaseSettings.logical_log_rotation_threshold.name(), "64m");
        cfg.put(GraphDatabaseSettings.preallocate_logical_logs.name(), "false");
        // Netty waits a 5 s quiet period on shutdown by default; a local dev server need not.
        cfg.put(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period.name(), "0");
        cfg.put(GraphDatabaseInternalSettings.netty_server_shutdown_timeout.name(), "5s");
        cfg.putAll(readConf(conf));
        cfg.putAll(sets);
        cfg.put(GraphDatabaseSettings.plugin_dir.name(), home.resolve("plugins").toString());
        if (unrestricted != null && !unrestricted.isBlank()) {
            cfg.put(GraphDatabaseSettings.procedure_unrestricted.name(), unrestricted);
        }

        log("starting Neo4j in " + home + " (bolt 127.0.0.1:" + port + ")");
        // The builder has no raw-map setter, so the merged settings go through a generated file; this
        // keeps settings Neo4j does not know (e.g. a plugin's) and, with strict validation off, only
        // warns about them.
        Path effective = runDir.resolve("effective.conf");
        StringBuilder sb = new StringBuilder("# generated by the neo4j_gml launcher; edit conf/neo4j.conf\n");
        for (Map.Entry<String, String> e : cfg.entrySet()) {
            sb.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        Files.writeString(effective, sb.toString(), StandardCharsets.UTF_8);
        DatabaseManagementService dbms =
                new DatabaseManagementServiceBuilder(home).loadPropertiesFromFile(effective).build();

        CountDownLatch stopped = new CountDownLatch(1);
        final Path pf = portFile;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("shutting down Neo4j");
            try {
                Files.deleteIfExists(pf);
            } catch (IOException ignored) {
                // best effort
            }
            try {
                dbms.shutdown();
                log("Neo4j stopped");
            } catch (Throwable t) {
                log("error while shutting down: " + t);
            } finally {
                stopped.countDown();
            }
        }, "neo4j-gml-shutdown"));

        try {
            GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
            if (password != null && !password.isEmpty()) {
                setPassword(system, password);
            } else {
                log("no password given (NEO4J_PASSWORD / --password): user neo4j keeps its password");
            }
            // Make sure the default database is up before announcing readiness.
            GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            db.executeTransactionally("RETURN 1");

            ConnectorPortRegister ports = ((GraphDatabaseAPI) system).getDependencyResolver()
                    .resolveDependency(ConnectorPortRegister.class);
            HostnamePort bound = ports.getLocalAddress(ConnectorType.BOLT);
            if (bound == null) {
                throw new IllegalStateException("Bolt connector did not bind");
            }
            Path tmp = runDir.resolve("bolt.port.tmp");
            Files.writeString(tmp, Integer.toString(bound.getPort()) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, portFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            log("Neo4j ready: bolt://" + bound.getHost() + ":" + bound.getPort());
        } catch (Throwable t) {
            log("start failed: " + t);
            t.printStackTrace();
            System.exit(1);
        }
        stopped.await();
    }

    private static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $p CHANGE NOT REQUIRED", Map.of("p", password));
            log("password of user neo4j set");
        } catch (RuntimeException e) {
            String msg = String.valueOf(e.getMessage()) + " " + String.valueOf(e.getCause());
            if (msg.contains("cannot be the same")) {
                // Same password as before; still make sure no change is required.
                system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
                log("password of user neo4j unchanged");
            } else {
                throw e;
            }
        }
    }

    private static Map<String, String> readConf(Path conf) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(conf)) {
            return out;
        }
        List<String> lines = Files.readAllLines(conf, StandardCharsets.UTF_8);
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                log("ignoring conf line without '=': " + line);
                continue;
            }
            out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        log("read " + out.size() + " setting(s) from " + conf);
        return out;
    }

    private static String need(String flag, String value) {
        if (value == null) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return value;
    }

    private static void log(String msg) {
        System.out.println("[neo4j-gml launcher] " + msg);
        System.out.flush();
    }
}
