package org.neo4j_gml.procedures;

/** A procedure call that the neo4j_gml service refused, failed, or could not be reached for. */
public class GmlServiceException extends RuntimeException {
    public GmlServiceException(String message) {
        super(message);
    }

    public GmlServiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
