package org.neo4j_gml.procedures;

import java.util.Map;
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
 */
public final class Caller {
    private Caller() {}

    public static Stream<Map<String, Object>> call(
            GraphDatabaseService db,
            Transaction tx,
            SecurityContext security,
            String procedure,
            String mode,
            Map<String, Object> config) {
        KernelTransaction ktx = kernel(tx);
        if ("write".equals(mode)) refuseInsideChangedTransaction(ktx, procedure);
        ServiceSettings settings = ServiceSettings.resolve(db);
        Object given = config == null ? null : config.get("jobId");
        String jobId = given instanceof String s && !s.isBlank() ? s : UUID.randomUUID().toString();
        return ServiceClient.call(
                settings, procedure, mode, config, db.databaseName(), user(security), jobId,
                () -> terminated(ktx));
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
