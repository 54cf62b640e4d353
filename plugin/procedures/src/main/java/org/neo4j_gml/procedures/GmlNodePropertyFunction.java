package org.neo4j_gml.procedures;

import java.util.LinkedHashMap;
import java.util.Map;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.internal.kernel.api.security.SecurityContext;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.UserFunction;

/**
 * {@code gml.util.nodeProperty(graphName, nodeId, propertyKey[, nodeLabel])}: one node's value of
 * a node property of a named graph (GDS's {@code gds.util.nodeProperty}). The graphs live in the
 * service, so each call is one HTTP round trip ({@code POST <url>/catalog/nodeProperty}, with the
 * token): fine for a few nodes; for many, stream {@code gml.graph.nodeProperty.stream} once.
 *
 * <p>As GDS: {@code nodeId} is a node or its id; a node outside the graph or an unknown property is
 * an error; with a {@code nodeLabel} the node does not carry, the value is null; a missing (NaN)
 * value is null; an integer value comes back as a float.
 */
public class GmlNodePropertyFunction {
    @Context
    public GraphDatabaseService db;

    @Context
    public SecurityContext security;

    private static final String FN = "gml.util.nodeProperty";

    @UserFunction(name = FN)
    @Description("gml.util.nodeProperty(graphName, nodeId, propertyKey, nodeLabel = '*') - the value of"
            + " a node property of a node in a named graph (null when the node lacks nodeLabel or the"
            + " value); one round trip to the service per call")
    @SuppressWarnings("deprecation")
    public Object nodeProperty(
            @Name("graphName") String graphName,
            @Name("nodeId") Object nodeId,
            @Name("propertyKey") String propertyKey,
            @Name(value = "nodeLabel", defaultValue = "*") String nodeLabel) {
        if (graphName == null || graphName.isBlank()) {
            throw new IllegalArgumentException(FN + ": graphName must be the name of a graph in the"
                    + " catalog (gml.graph.list() shows them), got " + (graphName == null ? "null" : "''"));
        }
        long id;
        if (nodeId instanceof Node node) {
            id = node.getId();
        } else if (nodeId instanceof Long || nodeId instanceof Integer) {
            id = ((Number) nodeId).longValue();
        } else {
            throw new IllegalArgumentException(FN + ": nodeId must be a node or a node id (INTEGER), got "
                    + (nodeId == null ? "null" : Convert.plain(nodeId) + " (" + nodeId.getClass().getSimpleName() + ")"));
        }
        if (propertyKey == null || propertyKey.isBlank()) {
            throw new IllegalArgumentException(FN + ": propertyKey must be a node property name of the"
                    + " graph, got " + (propertyKey == null ? "null" : "''"));
        }
        if (nodeLabel == null || nodeLabel.isBlank()) {
            throw new IllegalArgumentException(FN + ": nodeLabel must be a node label of the graph or"
                    + " '*', got " + (nodeLabel == null ? "null" : "''"));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("graph", graphName);
        body.put("nodeId", id);
        body.put("propertyKey", propertyKey);
        body.put("nodeLabel", nodeLabel);
        body.put("database", db.databaseName());
        body.put("user", Caller.user(security));
        body.put("admin", Caller.admin(security));
        Object value = ServiceClient.postJson(ServiceSettings.resolve(db), "/catalog/nodeProperty", body, FN)
                .get("value");
        return value instanceof Long l ? (Object) l.doubleValue() : value;
    }
}
