package org.neo4j_gml.procedures;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
    private static volatile HttpClient client;

    private static HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (GmlNodePropertyFunction.class) {
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
        Object value = post(ServiceSettings.resolve(db), body);
        return value instanceof Long l ? (Object) l.doubleValue() : value;
    }

    private static Object post(ServiceSettings settings, Map<String, Object> body) {
        URI target = settings.url().resolve(settings.url().getPath() + "/catalog/nodeProperty");
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.encode(body), StandardCharsets.UTF_8));
        if (settings.token() != null) request.header("Authorization", "Bearer " + settings.token());
        HttpResponse<String> response;
        try {
            response = client().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new GmlServiceException(FN + ": the neo4j_gml service at " + settings.url()
                    + " is not reachable (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + "); start it with `neo4j-gml serve` or set gml.service.url / GML_SERVICE_URL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GmlServiceException(FN + ": interrupted while waiting for the neo4j_gml service");
        }
        Object decoded;
        try {
            decoded = Json.decode(response.body());
        } catch (RuntimeException e) {
            decoded = null;
        }
        int status = response.statusCode();
        if (status == 401) {
            throw new GmlServiceException(FN + ": the neo4j_gml service at " + settings.url()
                    + " rejected the token; set gml.service.token (or GML_SERVICE_TOKEN of the Neo4j"
                    + " process) to the service's GML_SERVICE_TOKEN");
        }
        if (status != 200 || !(decoded instanceof Map<?, ?> answer)) {
            Object detail = decoded instanceof Map<?, ?> m ? m.get("detail") : null;
            String text = detail instanceof String s ? s : detail != null ? Json.encode(detail) : response.body();
            throw new GmlServiceException(FN + ": " + text + (status >= 500 ? " (service status " + status + ")" : ""));
        }
        return answer.get("value");
    }
}
