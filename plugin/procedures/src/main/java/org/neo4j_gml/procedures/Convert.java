package org.neo4j_gml.procedures;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.graphdb.Entity;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.NotFoundException;
import org.neo4j.graphdb.Transaction;

/** Conversions between Cypher values and the JSON the service speaks. */
public final class Convert {
    private Convert() {}

    /** The configuration as JSON-ready values: nodes and relationships become their ids. */
    public static Map<String, Object> config(Map<String, Object> config) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (config != null) {
            for (Map.Entry<String, Object> e : config.entrySet()) {
                out.put(e.getKey(), plain(e.getValue()));
            }
        }
        return out;
    }

    @SuppressWarnings("deprecation")
    static Object plain(Object v) {
        if (v instanceof Entity entity) {
            return entity.getId();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), plain(e.getValue()));
            return out;
        }
        if (v instanceof Iterable<?> it) {
            List<Object> out = new ArrayList<>();
            for (Object o : it) out.add(plain(o));
            return out;
        }
        if (v != null && v.getClass().isArray()) {
            int n = java.lang.reflect.Array.getLength(v);
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(plain(java.lang.reflect.Array.get(v, i)));
            return out;
        }
        if (v instanceof String || v instanceof Number || v instanceof Boolean || v == null) {
            return v;
        }
        return v.toString(); // temporal and spatial values: their Cypher string form
    }

    @SuppressWarnings("deprecation")
    public static Node node(Transaction tx, Long id) {
        if (id == null) return null;
        try {
            return tx.getNodeById(id);
        } catch (NotFoundException e) {
            return null; // deleted since the service read it
        }
    }

    public static Long toLong(Object v) {
        if (v instanceof Number n) return n.longValue();
        if (v instanceof Boolean b) return b ? 1L : 0L;
        return null;
    }

    public static Double toDouble(Object v) {
        if (v instanceof Number n) return n.doubleValue();
        return null;
    }

    public static String toStr(Object v) {
        return v == null ? null : v.toString();
    }

    public static Boolean toBool(Object v) {
        if (v instanceof Boolean b) return b;
        if (v instanceof Number n) return n.doubleValue() != 0;
        return null;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> toMap(Object v) {
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    public static List<Object> toList(Object v) {
        if (v instanceof List<?> l) return new ArrayList<>(l);
        return null;
    }

    public static List<Double> toDoubleList(Object v) {
        if (!(v instanceof List<?> l)) return null;
        List<Double> out = new ArrayList<>(l.size());
        for (Object o : l) out.add(toDouble(o));
        return out;
    }

    public static List<Long> toLongList(Object v) {
        if (!(v instanceof List<?> l)) return null;
        List<Long> out = new ArrayList<>(l.size());
        for (Object o : l) out.add(toLong(o));
        return out;
    }

    public static Object toAny(Object v) {
        return v;
    }
}
