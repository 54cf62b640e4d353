package org.neo4j_gml.procedures;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.neo4j.graphalgo.impl.util.PathImpl;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Path;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.Transaction;

/**
 * Cypher {@code Path} values made of the stored nodes of a result row and virtual
 * relationships between them, as GDS yields its {@code path} column: each relationship has a
 * negative id (never a stored one), the row's type ({@code PATH_<index>} for cheapest paths,
 * {@code NEXT} for traversals and walks) and, for cheapest paths, a {@code cost} property, the
 * difference of the cumulative costs at its two ends. Nothing is written: the relationships
 * exist only in the result.
 */
public final class VirtualPaths {
    private VirtualPaths() {}

    private static final AtomicLong IDS = new AtomicLong(-1);

    /**
     * The path through {@code nodeIds} (Neo4j ids) with relationships of {@code type}; with
     * {@code costs} (cumulative, one per node) each relationship gets {@code cost}. Null when
     * there is no node, or one of them was deleted since the service read it.
     */
    public static Path path(Transaction tx, Object nodeIds, Object costs, String type) {
        List<Long> ids = Convert.toLongList(nodeIds);
        List<Double> cumulative = Convert.toDoubleList(costs);
        if (ids == null || ids.isEmpty() || ids.contains(null)) return null;
        if (cumulative != null && (cumulative.size() != ids.size() || cumulative.contains(null))) {
            cumulative = null;
        }
        Node first = Convert.node(tx, ids.get(0));
        if (first == null) return null;
        RelationshipType relationshipType = RelationshipType.withName(type);
        PathImpl.Builder builder = new PathImpl.Builder(first);
        Node previous = first;
        for (int i = 1; i < ids.size(); i++) {
            Node next = Convert.node(tx, ids.get(i));
            if (next == null) return null;
            Virtual rel = new Virtual(IDS.getAndDecrement(), previous, next, relationshipType);
            if (cumulative != null) {
                rel.setProperty("cost", cumulative.get(i) - cumulative.get(i - 1));
            }
            builder = builder.push(rel);
            previous = next;
        }
        return builder.build();
    }

    /** The row's {@code PATH_<index>} path with costs (GDS's shortest-path procedures). */
    public static Path costed(Transaction tx, Map<String, Object> row) {
        Object index = row.get("index");
        return path(tx, row.get("nodeIds"), row.get("costs"), "PATH_" + Convert.toLong(index));
    }

    /** The row's {@code NEXT} path (GDS's traversals and random walks). */
    public static Path walk(Transaction tx, Map<String, Object> row) {
        return path(tx, row.get("nodeIds"), null, "NEXT");
    }

    /** A relationship that lives only in a result row. */
    static final class Virtual implements Relationship {
        private final long id;
        private final Node start;
        private final Node end;
        private final RelationshipType type;
        private final Map<String, Object> properties = new HashMap<>();

        Virtual(long id, Node start, Node end, RelationshipType type) {
            this.id = id;
            this.start = start;
            this.end = end;
            this.type = type;
        }

        @Override
        public long getId() {
            return id;
        }

        @Override
        public String getElementId() {
            return Long.toString(id);
        }

        @Override
        public Node getStartNode() {
            return start;
        }

        @Override
        public Node getEndNode() {
            return end;
        }

        @Override
        public Node getOtherNode(Node node) {
            if (node.equals(start)) return end;
            return node.equals(end) ? start : null;
        }

        @Override
        public Node[] getNodes() {
            return new Node[] {start, end};
        }

        @Override
        public RelationshipType getType() {
            return type;
        }

        @Override
        public boolean isType(RelationshipType other) {
            return type.name().equals(other.name());
        }

        @Override
        public boolean hasProperty(String key) {
            return properties.containsKey(key);
        }

        @Override
        public Object getProperty(String key) {
            return properties.get(key);
        }

        @Override
        public Object getProperty(String key, Object defaultValue) {
            return properties.getOrDefault(key, defaultValue);
        }

        @Override
        public void setProperty(String key, Object value) {
            properties.put(key, value);
        }

        @Override
        public Object removeProperty(String key) {
            return properties.remove(key);
        }

        @Override
        public Iterable<String> getPropertyKeys() {
            return properties.keySet();
        }

        @Override
        public Map<String, Object> getProperties(String... keys) {
            Map<String, Object> out = new LinkedHashMap<>(properties);
            out.keySet().retainAll(Arrays.asList(keys));
            return out;
        }

        @Override
        public Map<String, Object> getAllProperties() {
            return properties;
        }

        @Override
        public void delete() {
            throw new UnsupportedOperationException("a virtual relationship of a result path");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Relationship r && r.getId() == id;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id);
        }
    }
}
