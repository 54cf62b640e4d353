package org.neo4j_gml.procedures;

/**
 * A procedure call that the neo4j_gml service refused, failed, or could not be reached for. It has
 * no cause on purpose: Neo4j reports the root cause of a failed procedure, so the message here
 * must be the root.
 */
public class GmlServiceException extends RuntimeException {
    public GmlServiceException(String message) {
        super(message);
    }
}
