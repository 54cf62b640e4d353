package org.neo4j_gml.procedures;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.ResourceIterable;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.UserFunction;
import org.neo4j.values.storable.Values;

/**
 * {@code gml.linkprediction.adamicAdar|commonNeighbors|preferentialAttachment|resourceAllocation|
 * totalNeighbors(node1, node2, {relationshipQuery, direction})} and {@code
 * gml.linkprediction.sameCommunity(node1, node2[, communityProperty])}: GDS's {@code
 * gds.alpha.linkprediction.*} functions, computed in the plugin from the stored graph row by row
 * (no service call). Each is registered under {@code gml.alpha.linkprediction.*} too, so a GDS
 * query with {@code gds.} renamed to {@code gml.} runs.
 *
 * <p>As GDS: the neighbours {@code N(u)} are the distinct other nodes joined to {@code u} by a
 * relationship of type {@code relationshipQuery} (default: any type) in {@code direction}
 * ({@code BOTH} by default; {@code OUTGOING}/{@code out}/{@code o}/{@code >}, {@code
 * INCOMING}/{@code in}/{@code i}/{@code <}, {@code BOTH}/{@code b}/{@code <>}, any case), and
 * {@code deg(u)} counts those relationships (parallel ones each, a self-loop once). The reference
 * is {@code neo4j_gml.algorithms.linkpred.pair_functions}. Unlike GDS, an unknown direction or
 * configuration key is an error (GDS falls back to OUTGOING and ignores unknown keys), {@code
 * N(a) & N(b)} never holds {@code a} or {@code b}, and sameCommunity compares values as Cypher
 * does (1 equals 1.0; lists by their elements).
 */
public class GmlLinkPredictionFunctions {
    @Context
    public Transaction tx;

    private static final String PREFIX = "gml.linkprediction.";
    private static final String RELATIONSHIP_QUERY = "relationshipQuery";
    private static final String DIRECTION = "direction";
    private static final Set<String> KEYS = Set.of(RELATIONSHIP_QUERY, DIRECTION);

    private enum Measure { ADAMIC_ADAR, COMMON_NEIGHBORS, PREFERENTIAL_ATTACHMENT, RESOURCE_ALLOCATION, TOTAL_NEIGHBORS }

    /** The relationships a function follows: one type or all, in one direction. */
    record Query(RelationshipType type, Direction direction) {
        ResourceIterable<Relationship> relationships(Node node) {
            return type == null ? node.getRelationships(direction) : node.getRelationships(direction, type);
        }

        int degree(Node node) {
            return type == null ? node.getDegree(direction) : node.getDegree(type, direction);
        }
    }

    // ------------------------------------------------------------------ gml.linkprediction.*

    @UserFunction(name = "gml.linkprediction.adamicAdar")
    @Description("gml.linkprediction.adamicAdar(node1, node2, {relationshipQuery, direction}) - sum of"
            + " 1 / ln(degree) over the common neighbours, as gds.alpha.linkprediction.adamicAdar")
    public double adamicAdar(@Name("node1") Node node1, @Name("node2") Node node2,
            @Name(value = "config", defaultValue = "{}") Map<String, Object> config) {
        return score(Measure.ADAMIC_ADAR, "adamicAdar", node1, node2, config);
    }

    @UserFunction(name = "gml.linkprediction.commonNeighbors")
    @Description("gml.linkprediction.commonNeighbors(node1, node2, {relationshipQuery, direction}) -"
            + " the number of common neighbours, as gds.alpha.linkprediction.commonNeighbors")
    public double commonNeighbors(@Name("node1") Node node1, @Name("node2") Node node2,
            @Name(value = "config", defaultValue = "{}") Map<String, Object> config) {
        return score(Measure.COMMON_NEIGHBORS, "commonNeighbors", node1, node2, config);
    }

    @UserFunction(name = "gml.linkprediction.preferentialAttachment")
    @Description("gml.linkprediction.preferentialAttachment(node1, node2, {relationshipQuery,"
            + " direction}) - degree(node1) * degree(node2), as"
            + " gds.alpha.linkprediction.preferentialAttachment")
    public double preferentialAttachment(@Name("node1") Node node1, @Name("node2") Node node2,
            @Name(value = "config", defaultValue = "{}") Map<String, Object> config) {
        return score(Measure.PREFERENTIAL_ATTACHMENT, "preferentialAttachment", node1, node2, config);
    }

    @UserFunction(name = "gml.linkprediction.resourceAllocation")
    @Description("gml.linkprediction.resourceAllocation(node1, node2, {relationshipQuery, direction})"
            + " - sum of 1 / degree over the common neighbours, as"
            + " gds.alpha.linkprediction.resourceAllocation")
    public double resourceAllocation(@Name("node1") Node node1, @Name("node2") Node node2,
            @Name(value = "config", defaultValue = "{}") Map<String, Object> config) {
        return score(Measure.RESOURCE_ALLOCATION, "resourceAllocation", node1, node2, config);
    }

    @UserFunction(name = "gml.linkprediction.totalNeighbors")
    @Description("gml.linkprediction.totalNeighbors(node1, node2, {relationshipQuery, direction}) -"
            + " the number of distinct neighbours of either node, as"
            + " gds.alpha.linkprediction.totalNeighbors")
    public double totalNeighbors(@Name("node1") Node node1, @Name("node2") Node node2,
            @Name(value = "config", defaultValue = "{}") Map<String, Object> config) {
        return score(Measure.TOTAL_NEIGHBORS, "totalNeighbors", node1, node2, config);
    }

    @UserFunction(name = "gml.linkprediction.sameCommunity")
    @Description("gml.linkprediction.sameCommunity(node1, node2, communityProperty = 'community') -"
            + " 1 when both nodes have the same value of the property, else 0 (also when either has"
            + " none), as gds.alpha.linkprediction.sameCommunity")
    public double sameCommunity(@Name("node1") Node node1, @Name("node2") Node node2,
            @Name(value = "communityProperty", defaultValue = "community") String communityProperty) {
        return same("gml.linkprediction.sameCommunity", node1, node2, communityProperty);
    }

    // ------------------------------------------------------------------ gml.alpha.* aliases

    @UserFunction(name = "gml.alpha.linkprediction.adamicAdar")
    @Description("gml.alpha.linkprediction.adamicAdar(node1, node2, config) - the same as"
            + " gml.linkprediction.adamicAdar (GDS's alpha name)")
    public double alphaAdamicAdar(@Name("node1") Node node1, @Name("node2") Node node2,
            @Name(value = "config", defaultValue = "{}") Map<String, Object> config) {
        return score(Measure.ADAMIC_ADAR, "adamicAdar", node1, node2, config);
    }

    @UserFunction(name = "gml.alpha.linkprediction.commonNeighbors")
    @Description("gml.alpha.linkprediction.commonNeighbors(node1, node2, config) - the same as"
            + " gml.linkprediction.commonNeighbors (GDS's alpha name)")
    public double alphaCommonNeighbors(@Name("node1") Node node1, @Name("node2") Node node2,
            @Name(value = "config", defaultValue = "{}") Map<String, Object> config) {
        return score(Measure.COMMON_NEIGHBORS, "commonNeighbors", node1, node2, config);
    }

    @UserFunction(name = "gml.alpha.linkprediction.preferentialAttachment")
    @Description("gml.alpha.linkprediction.preferentialAttachment(node1, node2, config) - the same as"
            + " gml.linkprediction.preferentialAttachment (GDS's alpha name)")
    public double alphaPreferentialAttachment(@Name("node1") Node node1, @Name("node2") Node node2,
            @Name(value = "config", defaultValue = "{}") Map<String, Object> config) {
        return score(Measure.PREFERENTIAL_ATTACHMENT, "preferentialAttachment", node1, node2, config);
    }

    @UserFunction(name = "gml.alpha.linkprediction.resourceAllocation")
    @Description("gml.alpha.linkprediction.resourceAllocation(node1, node2, config) - the same as"
            + " gml.linkprediction.resourceAllocation (GDS's alpha name)")
    public double alphaResourceAllocation(@Name("node1") Node node1, @Name("node2") Node node2,
            @Name(value = "config", defaultValue = "{}") Map<String, Object> config) {
        return score(Measure.RESOURCE_ALLOCATION, "resourceAllocation", node1, node2, config);
    }

    @UserFunction(name = "gml.alpha.linkprediction.totalNeighbors")
    @Description("gml.alpha.linkprediction.totalNeighbors(node1, node2, config) - the same as"
            + " gml.linkprediction.totalNeighbors (GDS's alpha name)")
    public double alphaTotalNeighbors(@Name("node1") Node node1, @Name("node2") Node node2,
            @Name(value = "config", defaultValue = "{}") Map<String, Object> config) {
        return score(Measure.TOTAL_NEIGHBORS, "totalNeighbors", node1, node2, config);
    }

    @UserFunction(name = "gml.alpha.linkprediction.sameCommunity")
    @Description("gml.alpha.linkprediction.sameCommunity(node1, node2, communityProperty) - the same"
            + " as gml.linkprediction.sameCommunity (GDS's alpha name)")
    public double alphaSameCommunity(@Name("node1") Node node1, @Name("node2") Node node2,
            @Name(value = "communityProperty", defaultValue = "community") String communityProperty) {
        return same("gml.linkprediction.sameCommunity", node1, node2, communityProperty);
    }

    // ------------------------------------------------------------------ the computation

    private double score(Measure measure, String name, Node node1, Node node2, Map<String, Object> config) {
        String fn = PREFIX + name;
        requireNode(fn, "node1", node1);
        requireNode(fn, "node2", node2);
        Query query = query(fn, config);
        switch (measure) {
            case PREFERENTIAL_ATTACHMENT:
                return (double) query.degree(node1) * query.degree(node2);
            case TOTAL_NEIGHBORS:
                return unionSize(neighbors(node1, query), neighbors(node2, query));
            default:
                break;
        }
        if (node1.equals(node2)) return 0.0;
        long[] common = intersection(neighbors(node1, query), neighbors(node2, query));
        if (measure == Measure.COMMON_NEIGHBORS) return common.length;
        double sum = 0.0;
        for (long w : common) {
            int degree = query.degree(node(w));
            sum += measure == Measure.ADAMIC_ADAR ? 1.0 / Math.log(degree) : 1.0 / degree;
        }
        return sum;
    }

    @SuppressWarnings("deprecation")
    private Node node(long id) {
        return tx.getNodeById(id);
    }

    private static double same(String fn, Node node1, Node node2, String property) {
        requireNode(fn, "node1", node1);
        requireNode(fn, "node2", node2);
        if (property == null || property.isBlank()) {
            throw new IllegalArgumentException(fn + ": communityProperty must be a property name"
                    + " (STRING), got " + (property == null ? "null" : "'" + property + "'"));
        }
        Object a = node1.getProperty(property, null);
        Object b = node2.getProperty(property, null);
        if (a == null || b == null) return 0.0; // GDS: a node without a community is in none
        return Values.of(a).equals(Values.of(b)) ? 1.0 : 0.0;
    }

    private static void requireNode(String fn, String argument, Node node) {
        if (node == null) {
            throw new IllegalArgumentException(fn + ": " + argument + " must be a node, got null");
        }
    }

    /** The relationships to follow from {@code {relationshipQuery, direction}}, checked. */
    static Query query(String fn, Map<String, Object> config) {
        if (config == null) return new Query(null, Direction.BOTH);
        for (String key : config.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(fn + ": unknown config key '" + key + "'; the keys"
                        + " are 'relationshipQuery' (a relationship type, default: all types) and"
                        + " 'direction' (OUTGOING, INCOMING or BOTH, default BOTH)");
            }
        }
        Object type = config.get(RELATIONSHIP_QUERY);
        RelationshipType relationshipType = null;
        if (type != null) {
            if (!(type instanceof String name) || name.isBlank()) {
                throw new IllegalArgumentException(fn + ": config key 'relationshipQuery' must be a"
                        + " relationship type name (STRING), got " + describe(type));
            }
            relationshipType = RelationshipType.withName(name);
        }
        return new Query(relationshipType, direction(fn, config.get(DIRECTION)));
    }

    private static Direction direction(String fn, Object value) {
        if (value == null) return Direction.BOTH;
        if (value instanceof String text) {
            switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "outgoing", "out", "o", ">":
                    return Direction.OUTGOING;
                case "incoming", "in", "i", "<":
                    return Direction.INCOMING;
                case "both", "b", "<>":
                    return Direction.BOTH;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException(fn + ": config key 'direction' must be OUTGOING, INCOMING"
                + " or BOTH (or out/o/>, in/i/<, b/<>, any case), got " + describe(value));
    }

    private static String describe(Object value) {
        if (value instanceof String s) return "'" + s + "'";
        return Convert.plain(value) + " (" + value.getClass().getSimpleName() + ")";
    }

    /** The ids of the distinct nodes other than {@code node} joined to it, sorted. */
    @SuppressWarnings("deprecation")
    static long[] neighbors(Node node, Query query) {
        long self = node.getId();
        long[] ids = new long[16];
        int n = 0;
        try (ResourceIterable<Relationship> relationships = query.relationships(node)) {
            for (Relationship r : relationships) {
                long other = r.getOtherNodeId(self);
                if (other == self) continue;
                if (n == ids.length) ids = Arrays.copyOf(ids, n * 2);
                ids[n++] = other;
            }
        }
        Arrays.sort(ids, 0, n);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || ids[i] != ids[distinct - 1]) ids[distinct++] = ids[i];
        }
        return Arrays.copyOf(ids, distinct);
    }

    static long[] intersection(long[] a, long[] b) {
        long[] out = new long[Math.min(a.length, b.length)];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                out[k++] = a[i];
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return Arrays.copyOf(out, k);
    }

    static int unionSize(long[] a, long[] b) {
        return a.length + b.length - intersection(a, b).length;
    }
}
