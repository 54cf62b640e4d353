package org.neo4j_gml.procedures;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.internal.kernel.api.security.SecurityContext;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.kernel.api.exceptions.Status;
import org.neo4j.kernel.api.txstate.TxStateHolder;
import org.neo4j.kernel.impl.coreapi.InternalTransaction;

/**
 * What every generated procedure does: find the service, name the caller, refuse a write inside
 * a transaction that already changed data, and forward the call as a job that is cancelled when
 * the caller's transaction is terminated, times out or loses its client.
 *
 * <p>The request names the graph to run on ({@link #callOnGraph}: a name from the service's
 * catalog, or none for a run that projects its own) and whether the caller is an administrator
 * (auth disabled, or the {@code admin} role), who may see and drop other users' graphs.
 */
public final class Caller {
    private Caller() {}

    /** The default of a positional argument that has none (it is always put into the config). */
    public static final Object REQUIRED = new Object() {
        @Override
        public String toString() {
            return "REQUIRED";
        }
    };

    /** A call without a graph argument: {@code config} is the whole configuration. */
    public static Stream<Map<String, Object>> call(
            GraphDatabaseService db,
            Transaction tx,
            SecurityContext security,
            String procedure,
            String mode,
            Map<String, Object> config) {
        return call(db, tx, security, procedure, mode, null, config);
    }

    /**
     * GDS's {@code (graphName, configuration)}: {@code graphName} is a graph name of the service's
     * catalog (run on that graph with {@code configuration}), or a map, the whole configuration of
     * a run that projects its own graph (then {@code configuration} must be empty), or null (the
     * same with {@code configuration}).
     */
    public static Stream<Map<String, Object>> callOnGraph(
            GraphDatabaseService db,
            Transaction tx,
            SecurityContext security,
            String procedure,
            String mode,
            Object graphName,
            Map<String, Object> configuration) {
        String callName = "gml." + procedure + "." + mode;
        if (graphName instanceof String name) {
            if (name.isBlank()) {
                throw new GmlServiceException(callName + ": graphName must be the name of a graph in the"
                        + " catalog (gml.graph.list() shows them) or a configuration map, got an empty string");
            }
            return call(db, tx, security, procedure, mode, name, configuration);
        }
        if (graphName instanceof Map<?, ?> map) {
            if (configuration != null && !configuration.isEmpty()) {
                throw new GmlServiceException(callName + ": the first argument is a configuration map, so"
                        + " the second must be empty; give one map, or a graph name and a map (got keys "
                        + configuration.keySet() + " in the second)");
            }
            return call(db, tx, security, procedure, mode, null, stringKeys(map));
        }
        if (graphName == null) {
            return call(db, tx, security, procedure, mode, null, configuration);
        }
        throw new GmlServiceException(callName + ": graphName must be a graph name (STRING) of the catalog"
                + " or a configuration map, got " + Convert.plain(graphName) + " ("
                + graphName.getClass().getSimpleName() + ")");
    }

    static Stream<Map<String, Object>> call(
            GraphDatabaseService db,
            Transaction tx,
            SecurityContext security,
            String procedure,
            String mode,
            String graph,
            Map<String, Object> config) {
        KernelTransaction ktx = kernel(tx);
        if ("write".equals(mode)) refuseInsideChangedTransaction(ktx, procedure);
        ServiceSettings settings = ServiceSettings.resolve(db);
        Object given = config == null ? null : config.get("jobId");
        String jobId = given instanceof String s && !s.isBlank() ? s : UUID.randomUUID().toString();
        return ServiceClient.call(
                settings, procedure, mode, config, graph, db.databaseName(), user(security),
                admin(security), jobId, () -> terminated(ktx));
    }

    /** One positional argument: its config key, the value given and its default. */
    public static Object[] argument(String key, Object value, Object defaultValue) {
        return new Object[] {key, value, defaultValue};
    }

    /**
     * A copy of {@code configuration} with each positional argument under its key. An argument
     * left at its default does not override the map (Neo4j passes the default when it was left
     * out); otherwise a key the map has too is refused, naming it.
     */
    public static Map<String, Object> arguments(String callName, Map<String, Object> configuration,
            Object[]... arguments) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (configuration != null) out.putAll(configuration);
        for (Object[] argument : arguments) {
            String key = (String) argument[0];
            Object value = argument[1];
            Object defaultValue = argument[2];
            boolean required = defaultValue == REQUIRED;
            if (!required && sameValue(value, defaultValue)) {
                continue; // left out (or given as its default): the map's value or the default holds
            }
            if (configuration != null && configuration.containsKey(key)) {
                throw new GmlServiceException(callName + ": '" + key + "' is given both as an argument"
                        + " and in the configuration map; give it once");
            }
            out.put(key, value);
        }
        return out;
    }

    /** A list of {@code items} (nulls allowed), for the defaults of generated code. */
    public static List<Object> listOf(Object... items) {
        return new ArrayList<>(Arrays.asList(items));
    }

    /** A map of {@code key, value, ...} pairs, for the defaults of generated code. */
    public static Map<String, Object> mapOf(Object... pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) out.put((String) pairs[i], pairs[i + 1]);
        return out;
    }

    /** Whether two Cypher values are equal, numbers by value (1 equals 1.0). */
    static boolean sameValue(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            boolean integral = (x instanceof Long || x instanceof Integer) && (y instanceof Long || y instanceof Integer);
            return integral ? x.longValue() == y.longValue() : Double.compare(x.doubleValue(), y.doubleValue()) == 0;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) return false;
            Iterator<?> i = x.iterator();
            Iterator<?> j = y.iterator();
            while (i.hasNext()) {
                if (!sameValue(i.next(), j.next())) return false;
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (!x.keySet().equals(y.keySet())) return false;
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!sameValue(e.getValue(), y.get(e.getKey()))) return false;
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) out.put(String.valueOf(e.getKey()), e.getValue());
        return out;
    }

    /**
     * Results are committed in the service's own transactions (as GDS's write mode commits in
     * its own). A caller's transaction that has changed data holds locks the service's writes
     * would wait on until it times out, and it could still roll back after they committed: so
     * such a call is refused at once.
     */
    static void refuseInsideChangedTransaction(KernelTransaction ktx, String procedure) {
        if (ktx instanceof TxStateHolder holder && holder.hasTxStateWithChanges()) {
            throw new GmlServiceException("gml." + procedure + ".write: refused inside a transaction"
                    + " that has already changed data. Write procedures commit their results in"
                    + " their own transactions (as GDS's write mode does), which would wait on this"
                    + " transaction's locks and could commit although this one rolls back. Commit"
                    + " your changes first, then call gml." + procedure + ".write in a transaction"
                    + " of its own.");
        }
    }

    /** Why the caller's transaction was terminated (killed, timed out, client gone), or null. */
    static Status terminated(KernelTransaction ktx) {
        if (ktx == null) return null;
        Optional<Status> reason = ktx.getReasonIfTerminated();
        if (reason.isPresent()) return reason.get();
        return ktx.isOpen() ? null : Status.Transaction.Terminated;
    }

    static KernelTransaction kernel(Transaction tx) {
        if (tx instanceof InternalTransaction internal) return internal.kernelTransaction();
        return null;
    }

    /**
     * Whether the caller administers the DBMS: auth is disabled, or the caller has the {@code
     * admin} role. (Community edition has no roles: there only a DBMS without auth counts.)
     */
    static boolean admin(SecurityContext security) {
        if (security == null) return false;
        if (security.isAuthDisabled()) return true;
        try {
            return security.roles().contains("admin");
        } catch (RuntimeException e) {
            return false;
        }
    }

    static String user(SecurityContext security) {
        if (security == null || security.isAuthDisabled()) return null;
        try {
            String name = security.subject().executingUser();
            return name == null || name.isEmpty() ? null : name;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
