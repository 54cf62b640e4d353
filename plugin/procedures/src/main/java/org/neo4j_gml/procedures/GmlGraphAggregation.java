package org.neo4j_gml.procedures;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.internal.kernel.api.security.SecurityContext;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.UserAggregationFunction;
import org.neo4j.procedure.UserAggregationResult;
import org.neo4j.procedure.UserAggregationUpdate;

/**
 * GDS 2.x's Cypher projection, {@code RETURN gml.graph.project('g', source, target, dataConfig,
 * configuration)}: an aggregation function over the rows of the caller's own query. It collects
 * the nodes (with their labels and properties, as {@code dataConfig}'s {@code sourceNodeLabels},
 * {@code targetNodeLabels}, {@code sourceNodeProperties}, {@code targetNodeProperties} ask) and
 * the relationships ({@code relationshipType}, {@code relationshipProperties}) as columns, and
 * sends them once, at the end, to the service's {@code graph.project.columns}, which files the
 * graph in the catalog. A row with a null target adds its source node alone. The result is the
 * map GDS returns: {@code graphName, nodeCount, relationshipCount, projectMillis, configuration,
 * query}.
 */
public class GmlGraphAggregation {
    @Context
    public GraphDatabaseService db;

    @Context
    public Transaction tx;

    @Context
    public SecurityContext security;

    @UserAggregationFunction(name = "gml.graph.project")
    @Description("gml.graph.project(graphName, sourceNode, targetNode = null, dataConfig = {}, "
            + "configuration = {}) - aggregation: project the rows of this query into a named "
            + "graph of the neo4j_gml catalog (GDS 2.x's Cypher projection)")
    public Projector project() {
        return new Projector(db, tx, security);
    }

    /** The rows seen so far, as columns. */
    public static class Projector {
        private final GraphDatabaseService db;
        private final Transaction tx;
        private final SecurityContext security;
        private String graphName;
        private Map<String, Object> configuration;
        private final Map<Long, Integer> nodeRow = new HashMap<>();
        private final List<Long> nodeIds = new ArrayList<>();
        private final List<List<String>> nodeLabels = new ArrayList<>();
        private final Map<String, List<Object>> nodeProperties = new LinkedHashMap<>();
        private final List<Long> sources = new ArrayList<>();
        private final List<Long> targets = new ArrayList<>();
        private final List<String> types = new ArrayList<>();
        private boolean anyType = false;
        private final Map<String, List<Object>> relProperties = new LinkedHashMap<>();

        Projector(GraphDatabaseService db, Transaction tx, SecurityContext security) {
            this.db = db;
            this.tx = tx;
            this.security = security;
        }

        @UserAggregationUpdate
        public void update(
                @Name("graphName") String graphName,
                @Name("sourceNode") Object sourceNode,
                @Name(value = "targetNode", defaultValue = "null") Object targetNode,
                @Name(value = "dataConfig", defaultValue = "{}") Map<String, Object> dataConfig,
                @Name(value = "configuration", defaultValue = "{}") Map<String, Object> configuration) {
            if (graphName == null || graphName.isBlank()) {
                throw new GmlServiceException("gml.graph.project: graphName must be a non-empty string");
            }
            if (this.graphName == null) {
                this.graphName = graphName;
                this.configuration = configuration == null ? Map.of() : configuration;
            } else if (!this.graphName.equals(graphName)) {
                throw new GmlServiceException("gml.graph.project: one graph per aggregation; got '"
                        + this.graphName + "' and '" + graphName + "'");
            }
            Map<String, Object> data = dataConfig == null ? Map.of() : dataConfig;
            if (sourceNode == null) return;
            long source = add(sourceNode, data.get("sourceNodeLabels"), data.get("sourceNodeProperties"));
            if (targetNode == null) return;
            long target = add(targetNode, data.get("targetNodeLabels"), data.get("targetNodeProperties"));
            int at = sources.size();
            sources.add(source);
            targets.add(target);
            Object type = data.get("relationshipType");
            types.add(type == null ? "__ALL__" : String.valueOf(type));
            anyType |= type != null;
            Object props = data.get("relationshipProperties");
            Map<?, ?> values = props instanceof Map<?, ?> m ? m : Map.of();
            for (Map.Entry<?, ?> e : values.entrySet()) {
                column(relProperties, String.valueOf(e.getKey()), at).set(at, Convert.plain(e.getValue()));
            }
            for (List<Object> column : relProperties.values()) {
                while (column.size() <= at) column.add(null);
            }
        }

        /** The node's row (added on first sight), with its labels and properties. */
        @SuppressWarnings("deprecation")
        private long add(Object node, Object labels, Object properties) {
            long id;
            Node entity = null;
            if (node instanceof Node n) {
                entity = n;
                id = n.getId();
            } else if (node instanceof Number number) {
                id = number.longValue();
            } else {
                throw new GmlServiceException("gml.graph.project: a source or target must be a node "
                        + "or a node id, got " + node.getClass().getSimpleName());
            }
            Integer row = nodeRow.get(id);
            if (row == null) {
                row = nodeIds.size();
                nodeRow.put(id, row);
                nodeIds.add(id);
                nodeLabels.add(new ArrayList<>());
                for (List<Object> column : nodeProperties.values()) column.add(null);
            }
            List<String> mine = nodeLabels.get(row);
            if (Boolean.TRUE.equals(labels)) {
                Node n = entity != null ? entity : tx.getNodeById(id);
                for (Label label : n.getLabels()) addOnce(mine, label.name());
            } else if (labels instanceof String s) {
                addOnce(mine, s);
            } else if (labels instanceof List<?> list) {
                for (Object x : list) addOnce(mine, String.valueOf(x));
            }
            if (properties instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    List<Object> column = column(nodeProperties, String.valueOf(e.getKey()), row);
                    column.set(row, Convert.plain(e.getValue()));
                }
            }
            return id;
        }

        private static void addOnce(List<String> labels, String label) {
            if (!labels.contains(label)) labels.add(label);
        }

        /** The column {@code name}, created with nulls up to {@code row} when new. */
        private List<Object> column(Map<String, List<Object>> columns, String name, int row) {
            List<Object> column = columns.computeIfAbsent(name, k -> new ArrayList<>());
            int size = columns == nodeProperties ? nodeIds.size() : row + 1;
            while (column.size() < size) column.add(null);
            return column;
        }

        @UserAggregationResult
        public Map<String, Object> result() {
            if (graphName == null) return null;
            Map<String, Object> config = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : configuration.entrySet()) {
                config.put(e.getKey(), Convert.plain(e.getValue()));
            }
            Set<String> columns = Set.of("graphName", "nodeIds", "nodeLabels", "nodeProperties",
                    "sourceIds", "targetIds", "types", "relationshipProperties");
            for (String key : columns) {
                if (config.containsKey(key)) {
                    throw new GmlServiceException("gml.graph.project: '" + key
                            + "' is not a configuration key of the aggregation");
                }
            }
            boolean labelled = nodeLabels.stream().anyMatch(l -> !l.isEmpty());
            config.put("graphName", graphName);
            config.put("nodeIds", nodeIds);
            if (labelled) config.put("nodeLabels", nodeLabels);
            config.put("nodeProperties", nodeProperties);
            config.put("sourceIds", sources);
            config.put("targetIds", targets);
            if (anyType) config.put("types", types);
            config.put("relationshipProperties", relProperties);
            return Caller.call(db, tx, security, "graph.project.columns", "stream", config)
                    .findFirst()
                    .orElse(null);
        }
    }
}
