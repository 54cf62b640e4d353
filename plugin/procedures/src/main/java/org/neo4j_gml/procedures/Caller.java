package org.neo4j_gml.procedures;

import java.util.Map;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.internal.kernel.api.security.SecurityContext;

/** What every generated procedure does: find the service, name the caller, forward the call. */
public final class Caller {
    private Caller() {}

    public static Stream<Map<String, Object>> call(
            GraphDatabaseService db,
            SecurityContext security,
            String procedure,
            String mode,
            Map<String, Object> config) {
        ServiceSettings settings = ServiceSettings.resolve(db);
        return ServiceClient.call(settings, procedure, mode, config, db.databaseName(), user(security));
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
