package org.neo4j_gml.procedures;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Transaction;
import org.neo4j.internal.kernel.api.NodeCursor;
import org.neo4j.internal.kernel.api.PropertyCursor;
import org.neo4j.internal.kernel.api.Read;
import org.neo4j.internal.kernel.api.RelationshipDataAccessor;
import org.neo4j.internal.kernel.api.RelationshipScanCursor;
import org.neo4j.internal.kernel.api.RelationshipTraversalCursor;
import org.neo4j.internal.kernel.api.TokenRead;
import org.neo4j.internal.kernel.api.Write;
import org.neo4j.exceptions.KernelException;
import org.neo4j.io.pagecache.context.CursorContext;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.kernel.impl.coreapi.InternalTransaction;
import org.neo4j.memory.MemoryTracker;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;
import org.neo4j.storageengine.api.PropertySelection;
import org.neo4j.storageengine.api.RelationshipSelection;
import org.neo4j.token.api.TokenConstants;
import org.neo4j.values.storable.NumberValue;
import org.neo4j.values.storable.Value;
import org.neo4j.values.storable.Values;

/**
 * Bulk reads and writes for the Python side ({@code neo4j_gml.io}): ids and values travel as
 * packed little-endian byte arrays (int64 ids, float64 values) instead of one Cypher value per
 * number, so Bolt carries a few large byte strings and neither side decodes lists element by
 * element. The plugin holds no algorithm: these procedures only move columns in and out of the
 * caller's transaction, with the caller's privileges.
 *
 * <ul>
 *   <li>{@code gml.io.protocol()}: the layout version below; the Python side uses these
 *       procedures only when it matches its own.
 *   <li>{@code gml.io.relationships(nodeIds, relationshipTypes, weightProperty, defaultWeight,
 *       format)}: the outgoing relationships of the given nodes, as (sources, targets[, weights]),
 *       or with format {@code 'arrow'} as one Arrow IPC stream per row ({@link ArrowIpc}).
 *   <li>{@code gml.io.relationshipScan(..., part, parts, format)}: the same by a sequential scan
 *       of the relationship store.
 *   <li>{@code gml.io.writeNodeProperties(nodeIds, properties, values, widths)}: SET node
 *       properties (scalars for width 0, float arrays otherwise).
 *   <li>{@code gml.io.writeRelationships(sources, targets, type, properties, values)}: MERGE one
 *       relationship per pair and SET its properties; each source node is write-locked before
 *       its relationships are looked up, so concurrent writers never duplicate a pair.
 * </ul>
 *
 * Time: O(k) for k ids plus their relationships; memory: the output arrays.
 */
public class BulkIo {
    /** Layout version of the byte arrays; bump it when a signature or layout changes. */
    public static final long PROTOCOL = 4;

    /** Largest number of relationships in one output row (16 MiB of ids per column). */
    static final int ROW_LIMIT = 1 << 21;

    @Context
    public Transaction tx;

    public static class ProtocolRow {
        public long protocol;

        ProtocolRow(long protocol) {
            this.protocol = protocol;
        }
    }

    @Procedure(name = "gml.io.protocol", mode = Mode.READ)
    @Description("gml.io.protocol() - the layout version of the gml.io bulk procedures")
    public Stream<ProtocolRow> protocol() {
        return Stream.of(new ProtocolRow(PROTOCOL));
    }

    public static class RelationshipRow {
        public byte[] sources;
        public byte[] targets;
        public byte[] weights;
        public long count;
        /** With {@code format: 'arrow'}: the columns (source, target[, weight]) as one Arrow IPC stream. */
        public byte[] arrow;
    }

    @Procedure(name = "gml.io.relationships", mode = Mode.READ)
    @Description("gml.io.relationships(nodeIds, relationshipTypes, weightProperty, defaultWeight, "
            + "format) - the outgoing relationships of the nodes whose internal ids are packed in "
            + "nodeIds (little-endian int64), as packed sources, targets and (with a "
            + "weightProperty) float64 weights, or with format 'arrow' as one Arrow IPC stream "
            + "per row (columns source, target, weight); missing weights are defaultWeight")
    public Stream<RelationshipRow> relationships(
            @Name("nodeIds") byte[] nodeIds,
            @Name("relationshipTypes") List<String> relationshipTypes,
            @Name("weightProperty") String weightProperty,
            @Name("defaultWeight") Double defaultWeight,
            @Name(value = "format", defaultValue = "packed") String format) {
        boolean arrow = arrow(format);
        long[] ids = longs(nodeIds, "nodeIds");
        boolean weighted = weightProperty != null && !weightProperty.isEmpty();
        double fallback = defaultWeight == null ? Double.NaN : defaultWeight;
        List<RelationshipRow> rows = new ArrayList<>();
        Columns out = new Columns(weighted);
        // Kernel cursors, as GDS projects: no Node/Relationship objects per relationship
        // (read_graph at 1M relationships: 2.1-2.3M rel/s with getRelationships(), 3.4M with
        // cursors). Cursors from ktx.cursors() apply the caller's security as the Core API does.
        KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
        TokenRead tokens = ktx.tokenRead();
        RelationshipSelection selection = selection(tokens, relationshipTypes);
        int weightKey = weighted ? tokens.propertyKey(weightProperty) : TokenConstants.NO_TOKEN;
        if (selection != null) {
            Read read = ktx.dataRead();
            CursorContext context = ktx.cursorContext();
            MemoryTracker memory = ktx.memoryTracker();
            try (NodeCursor node = ktx.cursors().allocateNodeCursor(context, memory);
                    RelationshipTraversalCursor rel =
                            ktx.cursors().allocateRelationshipTraversalCursor(context, memory);
                    PropertyCursor props = ktx.cursors().allocatePropertyCursor(context, memory)) {
                for (long id : ids) {
                    read.singleNode(id, node);
                    if (!node.next()) continue; // deleted since the ids were read
                    node.relationships(rel, selection);
                    while (rel.next()) {
                        double weight = weighted
                                ? weight(rel, props, weightKey, weightProperty, fallback)
                                : 0.0;
                        out.add(id, rel.targetNodeReference(), weight);
                        if (out.size == ROW_LIMIT) {
                            rows.add(out.row(arrow));
                            out = new Columns(weighted);
                        }
                    }
                }
            }
        }
        if (out.size > 0 || rows.isEmpty()) rows.add(out.row(arrow));
        return rows.stream();
    }

    @Procedure(name = "gml.io.relationshipScan", mode = Mode.READ)
    @Description("gml.io.relationshipScan(nodeIds, relationshipTypes, weightProperty, defaultWeight, "
            + "part, parts, format) - as gml.io.relationships, by one sequential scan of the relationship "
            + "store (part `part` of `parts` of it) instead of each node's chain: faster when the "
            + "nodes are most of the store's")
    public Stream<RelationshipRow> relationshipScan(
            @Name("nodeIds") byte[] nodeIds,
            @Name("relationshipTypes") List<String> relationshipTypes,
            @Name("weightProperty") String weightProperty,
            @Name("defaultWeight") Double defaultWeight,
            @Name(value = "part", defaultValue = "0") Long part,
            @Name(value = "parts", defaultValue = "1") Long parts,
            @Name(value = "format", defaultValue = "packed") String format) {
        boolean arrow = arrow(format);
        long[] ids = longs(nodeIds, "nodeIds");
        BitSet members = new BitSet();
        for (long id : ids) {
            if (id < 0 || id > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("gml.io.relationshipScan: node id " + id
                        + " is out of the scan's range; use gml.io.relationships");
            }
            members.set((int) id);
        }
        int p = part == null ? 0 : part.intValue();
        int n = parts == null ? 1 : Math.max(1, parts.intValue());
        boolean weighted = weightProperty != null && !weightProperty.isEmpty();
        double fallback = defaultWeight == null ? Double.NaN : defaultWeight;
        KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
        TokenRead tokens = ktx.tokenRead();
        int weightKey = weighted ? tokens.propertyKey(weightProperty) : TokenConstants.NO_TOKEN;
        BitSet wanted = null; // relationship type ids; null: every type
        boolean none = false;
        if (relationshipTypes != null && !relationshipTypes.isEmpty()
                && !relationshipTypes.contains("*")) {
            wanted = new BitSet();
            for (String name : relationshipTypes) {
                int type = tokens.relationshipType(name);
                if (type != TokenConstants.NO_TOKEN) wanted.set(type);
            }
            none = wanted.isEmpty();
        }
        List<RelationshipRow> rows = new ArrayList<>();
        Columns out = new Columns(weighted);
        if (!none) {
            Read read = ktx.dataRead();
            CursorContext context = ktx.cursorContext();
            MemoryTracker memory = ktx.memoryTracker();
            try (RelationshipScanCursor rel =
                            ktx.cursors().allocateRelationshipScanCursor(context, memory);
                    PropertyCursor props = ktx.cursors().allocatePropertyCursor(context, memory)) {
                read.allRelationshipsScan(rel);
                while (rel.next()) {
                    long source = rel.sourceNodeReference();
                    if (source > Integer.MAX_VALUE || !members.get((int) source)) continue;
                    if (n > 1 && Long.remainderUnsigned(source, n) != p) continue;
                    if (wanted != null && !wanted.get(rel.type())) continue;
                    double weight = weighted
                            ? weight(rel, props, weightKey, weightProperty, fallback)
                            : 0.0;
                    out.add(source, rel.targetNodeReference(), weight);
                    if (out.size == ROW_LIMIT) {
                        rows.add(out.row(arrow));
                        out = new Columns(weighted);
                    }
                }
            }
        }
        if (out.size > 0 || rows.isEmpty()) rows.add(out.row(arrow));
        return rows.stream();
    }

    public static class WrittenRow {
        public long written;

        WrittenRow(long written) {
            this.written = written;
        }
    }

    @Procedure(name = "gml.io.writeNodeProperties", mode = Mode.WRITE)
    @Description("gml.io.writeNodeProperties(nodeIds, properties, values, widths, kinds) - set "
            + "each property on the nodes whose internal ids are packed in nodeIds; values[i] "
            + "holds packed float64 (kinds[i] = 'f8'), float32 ('f4', stored as float lists) or "
            + "int64 ('i8') values, one per node for "
            + "widths[i] = 0, widths[i] per node (a list) otherwise; unknown ids are skipped; "
            + "yields the number of nodes written")
    public Stream<WrittenRow> writeNodeProperties(
            @Name("nodeIds") byte[] nodeIds,
            @Name("properties") List<String> properties,
            @Name("values") List<Object> values,
            @Name("widths") List<Long> widths,
            @Name("kinds") List<String> kinds) {
        LongBuffer ids = ids(nodeIds, "nodeIds");
        Column[] columns = columns(properties, bytes(values), widths, kinds, ids.remaining());
        return Stream.of(new WrittenRow(writeNodes(tx, ids, columns)));
    }

    @Procedure(name = "gml.io.writeRelationships", mode = Mode.WRITE)
    @Description("gml.io.writeRelationships(sources, targets, type, properties, values, kinds) - "
            + "MERGE (a)-[:type]->(b) for each pair of packed internal ids and set its properties "
            + "(packed float64 or int64 values as kinds says, one per pair); pairs with an "
            + "unknown end are skipped; yields the number of relationships written")
    public Stream<WrittenRow> writeRelationships(
            @Name("sources") byte[] sources,
            @Name("targets") byte[] targets,
            @Name("type") String type,
            @Name("properties") List<String> properties,
            @Name("values") List<Object> values,
            @Name("kinds") List<String> kinds) {
        LongBuffer src = ids(sources, "sources");
        LongBuffer dst = ids(targets, "targets");
        if (src.remaining() != dst.remaining()) {
            throw new IllegalArgumentException(
                    src.remaining() + " source ids but " + dst.remaining() + " target ids");
        }
        Column[] columns = columns(properties, bytes(values), scalars(properties), kinds,
                src.remaining());
        return Stream.of(new WrittenRow(writeRelationships(tx, src, dst, type, columns)));
    }

    /**
     * Set each column's value on the node of each id (kernel writes: no Node object, one token
     * lookup per property); ids of deleted nodes are skipped. Returns the nodes written.
     */
    static long writeNodes(Transaction tx, LongBuffer ids, Column[] columns) {
        KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
        try {
            int[] keys = new int[columns.length];
            for (int c = 0; c < columns.length; c++) {
                keys[c] = ktx.tokenWrite().propertyKeyGetOrCreateForName(columns[c].name());
            }
            Read read = ktx.dataRead();
            Write write = ktx.dataWrite();
            long written = 0;
            int rows = ids.remaining();
            for (int i = 0; i < rows; i++) {
                long id = ids.get(ids.position() + i);
                if (!read.nodeExists(id)) continue; // deleted since the ids were read
                for (int c = 0; c < columns.length; c++) {
                    write.nodeSetProperty(id, keys[c], columns[c].value(i));
                }
                written++;
            }
            return written;
        } catch (KernelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * MERGE one relationship of {@code type} per (source, target) pair and set the columns on
     * it; pairs with a deleted end are skipped. Kernel writes, as {@link #writeNodes}: each
     * source is write-locked before its relationships of the type are looked up, so a
     * concurrent writer of the same pairs waits until this transaction commits, then finds
     * what it created (MERGE's guarantee, without which two writers both create the pair).
     * Batches are sorted by source, so writers take these locks in the same order. Returns the
     * relationships written.
     */
    static long writeRelationships(
            Transaction tx, LongBuffer src, LongBuffer dst, String type, Column[] columns) {
        KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
        try {
            int typeId = ktx.tokenWrite().relationshipTypeGetOrCreateForName(type);
            int[] keys = new int[columns.length];
            for (int c = 0; c < columns.length; c++) {
                keys[c] = ktx.tokenWrite().propertyKeyGetOrCreateForName(columns[c].name());
            }
            RelationshipSelection outgoing = RelationshipSelection.selection(typeId, Direction.OUTGOING);
            Read read = ktx.dataRead();
            Write write = ktx.dataWrite();
            Map<Long, Long> existing = new HashMap<>(); // target -> relationship, for `current`
            long written = 0;
            long current = -1;
            boolean present = false;
            int rows = src.remaining();
            try (NodeCursor node = ktx.cursors().allocateNodeCursor(
                            ktx.cursorContext(), ktx.memoryTracker());
                    RelationshipTraversalCursor rel = ktx.cursors().allocateRelationshipTraversalCursor(
                            ktx.cursorContext(), ktx.memoryTracker())) {
                for (int i = 0; i < rows; i++) {
                    long source = src.get(src.position() + i);
                    long target = dst.get(dst.position() + i);
                    if (i == 0 || source != current) {
                        current = source;
                        existing.clear();
                        present = read.nodeExists(source);
                        if (!present) continue; // deleted since the ids were read
                        ktx.locks().acquireExclusiveNodeLock(source);
                        read.singleNode(source, node);
                        if (node.next()) {
                            node.relationships(rel, outgoing);
                            while (rel.next()) {
                                existing.putIfAbsent(rel.targetNodeReference(), rel.reference());
                            }
                        }
                    }
                    if (!present) continue;
                    Long id = existing.get(target);
                    if (id == null) {
                        if (!read.nodeExists(target)) continue;
                        id = write.relationshipCreate(source, typeId, target);
                        existing.put(target, id);
                    }
                    for (int c = 0; c < columns.length; c++) {
                        write.relationshipSetProperty(id, keys[c], columns[c].value(i));
                    }
                    written++;
                }
            }
            return written;
        } catch (KernelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------ helpers

    static ByteBuffer buffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static long[] longs(byte[] bytes, String name) {
        LongBuffer ids = ids(bytes, name);
        long[] out = new long[ids.remaining()];
        ids.get(out);
        return out;
    }

    private static boolean arrow(String format) {
        if (format == null || "packed".equals(format)) return false;
        if ("arrow".equals(format)) return true;
        throw new IllegalArgumentException("gml.io: format must be 'packed' or 'arrow', got '" + format + "'");
    }

    static LongBuffer ids(byte[] bytes, String name) {
        if (bytes == null) throw new IllegalArgumentException(name + " must be a byte array");
        if (bytes.length % 8 != 0) {
            throw new IllegalArgumentException(
                    name + " must hold packed int64 values; got " + bytes.length + " bytes");
        }
        return buffer(bytes).asLongBuffer();
    }

    private static List<ByteBuffer> bytes(List<Object> values) {
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0; values != null && i < values.size(); i++) {
            if (!(values.get(i) instanceof byte[] raw)) {
                throw new IllegalArgumentException("values[" + i + "] must be a byte array");
            }
            out.add(buffer(raw));
        }
        return out;
    }

    static List<Long> scalars(List<String> properties) {
        List<Long> widths = new ArrayList<>();
        for (int i = 0; i < (properties == null ? 0 : properties.size()); i++) widths.add(0L);
        return widths;
    }

    /** Outgoing relationships of the named types ("*" or none: all); null when none exists. */
    static RelationshipSelection selection(TokenRead tokens, List<String> names) {
        if (names == null || names.isEmpty() || names.contains("*")) {
            return RelationshipSelection.selection(Direction.OUTGOING);
        }
        int[] ids = names.stream()
                .mapToInt(tokens::relationshipType)
                .filter(id -> id != TokenConstants.NO_TOKEN)
                .distinct()
                .toArray();
        return ids.length == 0 ? null : RelationshipSelection.selection(ids, Direction.OUTGOING);
    }

    static double weight(
            RelationshipDataAccessor rel,
            PropertyCursor props,
            int key,
            String property,
            double fallback) {
        if (key == TokenConstants.NO_TOKEN) return fallback;
        rel.properties(props, PropertySelection.selection(key));
        if (!props.next()) return fallback;
        Value value = props.propertyValue();
        if (value == null || value == Values.NO_VALUE) return fallback;
        if (value instanceof NumberValue number) return number.doubleValue();
        Object raw = value.asObject();
        String shown = String.valueOf(raw);
        if (shown.length() > 40) shown = shown.substring(0, 40) + "...";
        if (raw instanceof String) shown = "'" + shown + "'";
        throw new IllegalArgumentException("config key 'relationshipWeightProperty': property '"
                + property + "' must hold numbers, found " + raw.getClass().getSimpleName()
                + " " + shown);
    }

    /**
     * One property to write, {@code width} values per row (0: a scalar), read from a
     * little-endian buffer (a Bolt byte array or a mapped file): float64 ({@code f8}), float32
     * lists ({@code f4}, stored as float arrays as GDS stores embeddings) or int64 ({@code i8}).
     */
    record Column(String name, ByteBuffer data, String kind, int width) {
        Value value(int row) {
            if (width == 0) {
                return switch (kind) {
                    case "f8" -> Values.doubleValue(data.getDouble(row * 8));
                    case "f4" -> Values.doubleValue(data.getFloat(row * 4));
                    default -> Values.longValue(data.getLong(row * 8));
                };
            }
            int from = row * width;
            return switch (kind) {
                case "f8" -> {
                    double[] out = new double[width];
                    data.asDoubleBuffer().get(from, out);
                    yield Values.doubleArray(out);
                }
                case "f4" -> {
                    float[] out = new float[width];
                    data.asFloatBuffer().get(from, out);
                    yield Values.floatArray(out);
                }
                default -> {
                    long[] out = new long[width];
                    data.asLongBuffer().get(from, out);
                    yield Values.longArray(out);
                }
            };
        }

        Object object(int row) {
            return value(row).asObject();
        }

        static int itemSize(String kind) {
            return "f4".equals(kind) ? 4 : 8;
        }
    }

    static Column[] columns(List<String> properties, List<ByteBuffer> values,
            List<Long> widths, List<String> kinds, int rows) {
        int count = properties == null ? 0 : properties.size();
        if ((values == null ? 0 : values.size()) != count
                || (widths == null ? 0 : widths.size()) != count
                || (kinds == null ? 0 : kinds.size()) != count) {
            throw new IllegalArgumentException(
                    "properties, values, widths and kinds must have the same length");
        }
        Column[] out = new Column[count];
        for (int i = 0; i < count; i++) {
            String name = properties.get(i);
            ByteBuffer data = values.get(i).slice().order(ByteOrder.LITTLE_ENDIAN);
            int width = (int) (long) widths.get(i);
            String kind = kinds.get(i);
            if (!"f8".equals(kind) && !"f4".equals(kind) && !"i8".equals(kind)) {
                throw new IllegalArgumentException("kinds[" + i + "] must be 'f8', 'f4' or 'i8'");
            }
            long expected = (long) rows * Math.max(width, 1) * Column.itemSize(kind);
            if (data.remaining() != expected) {
                throw new IllegalArgumentException("property '" + name + "' has "
                        + data.remaining() + " bytes of values for " + rows + " rows of width "
                        + width + " (expected " + expected + ")");
            }
            out[i] = new Column(name, data, kind, width);
        }
        return out;
    }

    /** Growing output columns of one row of {@link #relationships}. */
    private static final class Columns {
        long[] sources = new long[1024];
        long[] targets = new long[1024];
        double[] weights;
        int size;

        Columns(boolean weighted) {
            weights = weighted ? new double[1024] : null;
        }

        void add(long source, long target, double weight) {
            if (size == sources.length) {
                int grown = Math.min(ROW_LIMIT, size * 2);
                sources = Arrays.copyOf(sources, grown);
                targets = Arrays.copyOf(targets, grown);
                if (weights != null) weights = Arrays.copyOf(weights, grown);
            }
            sources[size] = source;
            targets[size] = target;
            if (weights != null) weights[size] = weight;
            size++;
        }

        RelationshipRow row(boolean arrow) {
            RelationshipRow row = new RelationshipRow();
            row.count = size;
            if (arrow) {
                List<ArrowIpc.Column> columns = new ArrayList<>();
                columns.add(new ArrowIpc.Column("source", sources, null));
                columns.add(new ArrowIpc.Column("target", targets, null));
                if (weights != null) columns.add(new ArrowIpc.Column("weight", null, weights));
                row.arrow = ArrowIpc.stream(columns, size);
                return row;
            }
            row.sources = pack(sources, size);
            row.targets = pack(targets, size);
            row.weights = weights == null ? null : pack(weights, size);
            return row;
        }

        private static byte[] pack(long[] values, int size) {
            ByteBuffer out = ByteBuffer.allocate(size * 8).order(ByteOrder.LITTLE_ENDIAN);
            out.asLongBuffer().put(values, 0, size);
            return out.array();
        }

        private static byte[] pack(double[] values, int size) {
            ByteBuffer out = ByteBuffer.allocate(size * 8).order(ByteOrder.LITTLE_ENDIAN);
            out.asDoubleBuffer().put(values, 0, size);
            return out.array();
        }
    }
}
