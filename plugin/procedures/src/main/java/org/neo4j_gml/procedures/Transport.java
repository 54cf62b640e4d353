package org.neo4j_gml.procedures;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.graphdb.TransactionTerminatedException;
import org.neo4j.internal.kernel.api.NodeCursor;
import org.neo4j.internal.kernel.api.PartitionedScan;
import org.neo4j.internal.kernel.api.PropertyCursor;
import org.neo4j.internal.kernel.api.Read;
import org.neo4j.internal.kernel.api.RelationshipScanCursor;
import org.neo4j.internal.kernel.api.RelationshipTraversalCursor;
import org.neo4j.internal.kernel.api.TokenRead;
import org.neo4j.kernel.api.ExecutionContext;
import org.neo4j.kernel.api.KernelTransaction;
import org.neo4j.kernel.impl.coreapi.InternalTransaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;
import org.neo4j.storageengine.api.RelationshipSelection;
import org.neo4j.token.api.TokenConstants;

/**
 * The shared-memory transport: when the service and Neo4j see the same directory (the same
 * host, or a volume both mount, such as {@code /dev/shm} or a shared {@code emptyDir}), columns
 * travel as files in it instead of Bolt byte arrays. The service maps a read file without
 * copying it; the plugin maps the service's write files a batch at a time.
 *
 * <ul>
 *   <li>{@code gml.io.transportProbe(name)}: the handshake. Writes a probe file holding a random
 *       token and reads the service's probe file {@code name}; the service uses the path only
 *       when it reads the plugin's token and the plugin read its own.
 *   <li>{@code gml.io.projectToFile(nodeLabels, relationshipTypes, weightProperty, defaultWeight,
 *       concurrency, scan)}: a whole filter projection (node ids, relationships as positions in
 *       them, weights) in one file, read by {@code concurrency} threads of the caller's
 *       transaction (partitions of the node range, or of the relationship store with {@code
 *       scan}), as GDS projects.
 *   <li>{@code gml.io.writeNodePropertiesFromFile} and {@code gml.io.writeRelationshipsFromFile}:
 *       rows {@code from..to} of a column file the service wrote.
 * </ul>
 *
 * <p>Files live only in the configured directory ({@code gml.transport.dir} in neo4j.conf, else
 * {@code GML_TRANSPORT_DIR}, else {@code /dev/shm} when it exists; {@code off} disables), are
 * created {@code 0600} under unguessable names ({@code gml-} and 128 random bits), and are
 * addressed by name only, so a caller cannot point the plugin at another file. The plugin's own
 * files are deleted when the transaction that made them closes, whatever its outcome; the
 * service maps them inside that transaction (a mapping outlives the file's name).
 */
public class Transport {
    /** {@code "GMLSHM01"} as a little-endian int64: the first word of a projection file. */
    static final long MAGIC = 0x31304d48534c4d47L;

    static final int HEADER_BYTES = 64;

    /**
     * Without an explicit {@code scan}, the store is scanned when the projection holds at least
     * this share of the nodes: a sequential pass then reads fewer pages than following chains
     * (1M relationships, every node: 0.10 s against 0.30 s).
     */
    static final double SCAN_SHARE = 0.25;
    static final Pattern NAME = Pattern.compile("gml-[0-9a-f]{32}\\.(bin|probe)");
    private static final SecureRandom RANDOM = new SecureRandom();

    @Context
    public Transaction tx;

    @Context
    public GraphDatabaseService db;

    // ------------------------------------------------------------------------- directory

    /** The transport directory of this Neo4j, or null when there is none (or it is off). */
    static Path directory(GraphDatabaseService db) {
        Map<String, String> conf = ServiceSettings.ConfFile.settings(ServiceSettings.confFile(db));
        String configured = ServiceSettings.firstNonBlank(
                conf.get("gml.transport.dir"), System.getenv("GML_TRANSPORT_DIR"));
        if (configured == null) configured = "/dev/shm";
        if ("off".equalsIgnoreCase(configured)) return null;
        Path dir = Path.of(configured).toAbsolutePath().normalize();
        return Files.isDirectory(dir) && Files.isWritable(dir) ? dir : null;
    }

    private Path requireDirectory() {
        Path dir = directory(db);
        if (dir == null) {
            throw new IllegalArgumentException("gml.io: this Neo4j has no transport directory "
                    + "(gml.transport.dir / GML_TRANSPORT_DIR, default /dev/shm)");
        }
        return dir;
    }

    /** {@code dir/name} for a file name of the transport's pattern, else an error. */
    static Path resolve(Path dir, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("gml.io: '" + name + "' is not a transport file name");
        }
        return dir.resolve(name);
    }

    /** A new empty file {@code gml-<128 random bits>.<suffix>}, readable by its owner only. */
    static Path create(Path dir, String suffix) throws IOException {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        Path path = dir.resolve("gml-" + HexFormat.of().formatHex(random) + "." + suffix);
        return Files.createFile(
                path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    /** Delete {@code path} when the caller's transaction closes (commit, rollback, termination). */
    private void deleteOnClose(Path path) {
        ((InternalTransaction) tx).registerCloseableResource(() -> Files.deleteIfExists(path));
    }

    // ------------------------------------------------------------------------- probe

    public static class ProbeRow {
        public String directory;
        public String name;
        public String token;
        public String read;
    }

    @Procedure(name = "gml.io.transportProbe", mode = Mode.READ)
    @Description("gml.io.transportProbe(name) - the shared-memory handshake: writes a probe file "
            + "(deleted when the transaction closes) and yields the transport directory, its "
            + "name and token, and the text of the caller's probe file `name` (null: unreadable)")
    public Stream<ProbeRow> transportProbe(@Name(value = "name", defaultValue = "") String name) {
        Path dir = requireDirectory();
        ProbeRow row = new ProbeRow();
        row.directory = dir.toString();
        byte[] token = new byte[16];
        RANDOM.nextBytes(token);
        row.token = HexFormat.of().formatHex(token);
        try {
            Path probe = create(dir, "probe");
            deleteOnClose(probe);
            Files.writeString(probe, row.token, StandardCharsets.US_ASCII);
            row.name = probe.getFileName().toString();
        } catch (IOException e) {
            throw new IllegalArgumentException("gml.io: cannot write in " + dir + ": " + e, e);
        }
        sweep(dir);
        if (name != null && !name.isEmpty()) {
            Path theirs = resolve(dir, name);
            try {
                if (Files.isRegularFile(theirs, LinkOption.NOFOLLOW_LINKS)) {
                    row.read = Files.readString(theirs, StandardCharsets.US_ASCII);
                }
            } catch (IOException e) {
                row.read = null;
            }
        }
        return Stream.of(row);
    }

    /** Files left more than an hour by a process that died mid-call are deleted (where allowed). */
    static final long STALE_MILLIS = 3_600_000L;

    private static void sweep(Path dir) {
        long cutoff = System.currentTimeMillis() - STALE_MILLIS;
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).forEach(p -> {
                try {
                    if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() < cutoff) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException | SecurityException e) {
                    // another user's file, or gone already
                }
            });
        } catch (IOException e) {
            // an unreadable directory: nothing to sweep
        }
    }

    // ------------------------------------------------------------------------- projection

    public static class ProjectionRow {
        public String name;
        public long nodeCount;
        public long relationshipCount;
        public long dropped;
        public long bytes;
    }

    @Procedure(name = "gml.io.projectToFile", mode = Mode.READ)
    @Description("gml.io.projectToFile(nodeLabels, relationshipTypes, weightProperty, "
            + "defaultWeight, concurrency, scan) - the nodes with any of the labels ('*': all) "
            + "and their outgoing relationships of the types, as positions in the sorted node "
            + "ids, written to a file of the transport directory that is deleted when the "
            + "transaction closes; read by `concurrency` threads, following each node's chain or "
            + "(scan) scanning the relationship store (null: when the nodes are a quarter of the "
            + "store's or more)")
    public Stream<ProjectionRow> projectToFile(
            @Name("nodeLabels") List<String> nodeLabels,
            @Name("relationshipTypes") List<String> relationshipTypes,
            @Name("weightProperty") String weightProperty,
            @Name("defaultWeight") Double defaultWeight,
            @Name("concurrency") Long concurrency,
            @Name("scan") Boolean scan) {
        Path dir = requireDirectory();
        KernelTransaction ktx = ((InternalTransaction) tx).kernelTransaction();
        int threads = (int) Math.max(1, Math.min(64, concurrency == null ? 4 : concurrency));
        long[] ids = nodes(ktx, nodeLabels);
        Positions positions = new Positions(ids);
        TokenRead tokens = ktx.tokenRead();
        boolean weighted = weightProperty != null && !weightProperty.isEmpty();
        Arcs.Spec spec = new Arcs.Spec(
                weighted,
                weighted ? tokens.propertyKey(weightProperty) : TokenConstants.NO_TOKEN,
                weightProperty,
                defaultWeight == null ? Double.NaN : defaultWeight);
        List<Arcs> parts;
        BitSet types = types(tokens, relationshipTypes);
        if (types != null && types.isEmpty()) {
            parts = List.of();
        } else if (scan != null ? scan : ids.length >= SCAN_SHARE * ktx.dataRead().nodesGetCount()) {
            parts = scanStore(ktx, positions, types, spec, threads);
        } else {
            parts = followChains(ktx, positions, relationshipTypes, spec, threads);
        }
        ProjectionRow row = new ProjectionRow();
        row.nodeCount = ids.length;
        for (Arcs part : parts) {
            row.relationshipCount += part.size;
            row.dropped += part.dropped;
        }
        try {
            Path file = create(dir, "bin");
            deleteOnClose(file);
            row.bytes = writeProjection(file, ids, parts, row.relationshipCount, row.dropped, weighted);
            row.name = file.getFileName().toString();
        } catch (IOException e) {
            throw new IllegalArgumentException("gml.io: cannot write the projection in " + dir
                    + ": " + e, e);
        }
        return Stream.of(row);
    }

    /** Sorted ids of the nodes with any of {@code labels} ({@code '*'} or none: every node). */
    private static long[] nodes(KernelTransaction ktx, List<String> labels) {
        boolean all = labels == null || labels.isEmpty() || labels.contains("*");
        int[] wanted = all ? new int[0] : labels.stream()
                .mapToInt(ktx.tokenRead()::nodeLabel)
                .filter(id -> id != TokenConstants.NO_TOKEN)
                .distinct()
                .toArray();
        long[] out = new long[1024];
        int size = 0;
        if (!all && wanted.length == 0) return new long[0];
        try (NodeCursor node = ktx.cursors().allocateNodeCursor(ktx.cursorContext(), ktx.memoryTracker())) {
            ktx.dataRead().allNodesScan(node);
            while (node.next()) {
                if (!all && !hasAny(node, wanted)) continue;
                if (size == out.length) out = Arrays.copyOf(out, size * 2);
                out[size++] = node.nodeReference();
                if ((size & 0xFFFF) == 0) checkOpen(ktx);
            }
        }
        out = Arrays.copyOf(out, size);
        Arrays.parallelSort(out);
        return out;
    }

    private static boolean hasAny(NodeCursor node, int[] labels) {
        for (int label : labels) {
            if (node.hasLabel(label)) return true;
        }
        return false;
    }

    /** Type ids to keep (null: every type; empty: none of the named types exists). */
    private static BitSet types(TokenRead tokens, List<String> names) {
        if (names == null || names.isEmpty() || names.contains("*")) return null;
        BitSet out = new BitSet();
        for (String name : names) {
            int type = tokens.relationshipType(name);
            if (type != TokenConstants.NO_TOKEN) out.set(type);
        }
        return out;
    }

    /** Node id -> position in the sorted ids: a table when ids are dense, else binary search. */
    static final class Positions {
        final long[] ids;
        final int[] table;

        Positions(long[] ids) {
            this.ids = ids;
            long top = ids.length == 0 ? -1 : ids[ids.length - 1];
            if (ids.length > 0 && ids[0] >= 0 && top < 8L * ids.length + (1 << 20)) {
                table = new int[(int) top + 1];
                Arrays.fill(table, -1);
                for (int i = 0; i < ids.length; i++) table[(int) ids[i]] = i;
            } else {
                table = null;
            }
        }

        int of(long id) {
            if (table != null) return id >= 0 && id < table.length ? table[(int) id] : -1;
            int at = Arrays.binarySearch(ids, id);
            return at >= 0 ? at : -1;
        }
    }

    /** Growing columns of arcs (source and target positions, weights) read by one worker. */
    static final class Arcs {
        record Spec(boolean weighted, int key, String property, double fallback) {}

        long[] sources = new long[4096];
        long[] targets = new long[4096];
        double[] weights;
        int size;
        long dropped;

        Arcs(boolean weighted) {
            weights = weighted ? new double[4096] : null;
        }

        void add(long source, long target, double weight) {
            if (size == sources.length) {
                int grown = (int) Math.min(Integer.MAX_VALUE - 8, size * 2L);
                sources = Arrays.copyOf(sources, grown);
                targets = Arrays.copyOf(targets, grown);
                if (weights != null) weights = Arrays.copyOf(weights, grown);
            }
            sources[size] = source;
            targets[size] = target;
            if (weights != null) weights[size] = weight;
            size++;
        }
    }

    private interface Worker {
        void run(int task, ExecutionContext context, Arcs out) throws Exception;
    }

    /**
     * Run {@code tasks} workers on {@code threads} threads, each with an execution context of
     * the caller's transaction (made and closed on this thread, completed on the worker's, as
     * the kernel requires); one {@link Arcs} per task, in task order.
     */
    private static List<Arcs> parallel(KernelTransaction ktx, int threads, int tasks, boolean weighted,
            Worker worker) {
        List<Arcs> outs = new ArrayList<>();
        if (tasks == 0) return outs;
        List<ExecutionContext> contexts = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            outs.add(new Arcs(weighted));
            contexts.add(ktx.createExecutionContext());
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, tasks), runnable -> {
            Thread thread = new Thread(runnable, "gml-io-project");
            thread.setDaemon(true);
            return thread;
        });
        // The first failure stops the tasks that have not started; every task still completes
        // its context (the kernel refuses to close one that was not completed).
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < tasks; t++) {
                int task = t;
                ExecutionContext context = contexts.get(t);
                Arcs out = outs.get(t);
                futures.add(pool.submit(() -> {
                    try {
                        if (failure.get() == null) worker.run(task, context, out);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        context.complete();
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    failure.compareAndSet(null, e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure.compareAndSet(null, new TransactionTerminatedException(
                            org.neo4j.kernel.api.exceptions.Status.Transaction.Terminated));
                    break;
                }
            }
        } finally {
            pool.shutdown();
            try {
                pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            contexts.forEach(ExecutionContext::close);
        }
        Throwable cause = failure.get();
        if (cause instanceof RuntimeException runtime) throw runtime;
        if (cause instanceof Error error) throw error;
        if (cause != null) throw new IllegalStateException(cause);
        return outs;
    }

    private static void checkOpen(KernelTransaction ktx) {
        ktx.getReasonIfTerminated().ifPresent(status -> {
            throw new TransactionTerminatedException(status);
        });
    }

    /** Each node's chain, the sorted ids split into ranges: arcs come out in source order. */
    private static List<Arcs> followChains(KernelTransaction ktx, Positions positions,
            List<String> typeNames, Arcs.Spec spec, int threads) {
        long[] ids = positions.ids;
        RelationshipSelection selection = BulkIo.selection(ktx.tokenRead(), typeNames);
        int tasks = ids.length == 0 ? 0 : Math.max(1, Math.min(threads * 8, ids.length / 1024 + 1));
        return parallel(ktx, threads, tasks, spec.weighted(), (task, context, out) -> {
            int from = (int) ((long) ids.length * task / tasks);
            int to = (int) ((long) ids.length * (task + 1) / tasks);
            Read read = context.dataRead();
            try (NodeCursor node = context.cursors().allocateNodeCursor(
                            context.cursorContext(), context.memoryTracker());
                    RelationshipTraversalCursor rel = context.cursors()
                            .allocateRelationshipTraversalCursor(
                                    context.cursorContext(), context.memoryTracker());
                    PropertyCursor props = context.cursors().allocatePropertyCursor(
                            context.cursorContext(), context.memoryTracker())) {
                for (int i = from; i < to; i++) {
                    if ((i & 0x3FF) == 0) checkOpen(ktx);
                    read.singleNode(ids[i], node);
                    if (!node.next()) continue;
                    node.relationships(rel, selection);
                    while (rel.next()) {
                        int target = positions.of(rel.targetNodeReference());
                        if (target < 0) {
                            out.dropped++;
                            continue;
                        }
                        double weight = spec.weighted()
                                ? BulkIo.weight(rel, props, spec.key(), spec.property(), spec.fallback())
                                : 0.0;
                        out.add(i, target, weight);
                    }
                }
            }
        });
    }

    /** One sequential pass over the relationship store, in partitions taken by the threads. */
    private static List<Arcs> scanStore(KernelTransaction ktx, Positions positions, BitSet types,
            Arcs.Spec spec, int threads) {
        PartitionedScan<RelationshipScanCursor> scan =
                ktx.dataRead().allRelationshipsScan(threads * 4, ktx.cursorContext());
        return parallel(ktx, threads, threads, spec.weighted(), (task, context, out) -> {
            try (RelationshipScanCursor rel = context.cursors().allocateRelationshipScanCursor(
                            context.cursorContext(), context.memoryTracker());
                    PropertyCursor props = context.cursors().allocatePropertyCursor(
                            context.cursorContext(), context.memoryTracker())) {
                long seen = 0;
                while (scan.reservePartition(rel, context)) {
                    while (rel.next()) {
                        if ((++seen & 0xFFFF) == 0) checkOpen(ktx);
                        if (types != null && !types.get(rel.type())) continue;
                        int source = positions.of(rel.sourceNodeReference());
                        if (source < 0) continue;
                        int target = positions.of(rel.targetNodeReference());
                        if (target < 0) {
                            out.dropped++;
                            continue;
                        }
                        double weight = spec.weighted()
                                ? BulkIo.weight(rel, props, spec.key(), spec.property(), spec.fallback())
                                : 0.0;
                        out.add(source, target, weight);
                    }
                }
            }
        });
    }

    /**
     * The projection file: a 64-byte header (magic, layout version 1, node count, relationship
     * count, weighted, dropped), then little-endian node ids, source positions, target positions
     * (int64 each) and, when weighted, float64 weights. Returns its size in bytes.
     */
    private static long writeProjection(Path file, long[] ids, List<Arcs> parts, long m, long dropped,
            boolean weighted) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
                Writer out = new Writer(channel)) {
            out.longs(new long[] {MAGIC, 1, ids.length, m, weighted ? 1 : 0, dropped, 0, 0}, 8);
            out.longs(ids, ids.length);
            for (Arcs part : parts) out.longs(part.sources, part.size);
            for (Arcs part : parts) out.longs(part.targets, part.size);
            if (weighted) {
                for (Arcs part : parts) out.doubles(part.weights, part.size);
            }
        }
        return HEADER_BYTES + 8L * ids.length + (weighted ? 24L : 16L) * m;
    }

    /** Buffered little-endian writes of whole arrays into a channel. */
    private static final class Writer implements AutoCloseable {
        private final FileChannel channel;
        private final ByteBuffer buffer =
                ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);

        Writer(FileChannel channel) {
            this.channel = channel;
        }

        void longs(long[] values, int size) throws IOException {
            for (int from = 0; from < size; ) {
                int count = Math.min(size - from, buffer.remaining() / 8);
                if (count == 0) {
                    flush();
                    continue;
                }
                buffer.asLongBuffer().put(values, from, count);
                buffer.position(buffer.position() + count * 8);
                from += count;
            }
        }

        void doubles(double[] values, int size) throws IOException {
            for (int from = 0; from < size; ) {
                int count = Math.min(size - from, buffer.remaining() / 8);
                if (count == 0) {
                    flush();
                    continue;
                }
                buffer.asDoubleBuffer().put(values, from, count);
                buffer.position(buffer.position() + count * 8);
                from += count;
            }
        }

        private void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) channel.write(buffer);
            buffer.clear();
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    // ------------------------------------------------------------------------- writes

    public static class WrittenRow {
        public long written;

        WrittenRow(long written) {
            this.written = written;
        }
    }

    @Procedure(name = "gml.io.writeNodePropertiesFromFile", mode = Mode.WRITE)
    @Description("gml.io.writeNodePropertiesFromFile(name, from, to, properties, offsets, widths, "
            + "kinds) - as gml.io.writeNodeProperties for rows from..to of the transport file "
            + "`name`: int64 node ids at byte 0, column i at byte offsets[i]")
    public Stream<WrittenRow> writeNodePropertiesFromFile(
            @Name("name") String name,
            @Name("from") Long from,
            @Name("to") Long to,
            @Name("properties") List<String> properties,
            @Name("offsets") List<Long> offsets,
            @Name("widths") List<Long> widths,
            @Name("kinds") List<String> kinds) {
        try (FileChannel channel = open(name)) {
            int rows = rows(from, to);
            LongBuffer ids = map(channel, 8L * from, 8L * rows).asLongBuffer();
            List<ByteBuffer> values = slices(channel, from, rows, offsets, widths, kinds);
            BulkIo.Column[] columns = BulkIo.columns(properties, values, widths, kinds, rows);
            return Stream.of(new WrittenRow(BulkIo.writeNodes(tx, ids, columns)));
        } catch (IOException e) {
            throw new IllegalArgumentException("gml.io: cannot read transport file " + name + ": " + e, e);
        }
    }

    @Procedure(name = "gml.io.writeRelationshipsFromFile", mode = Mode.WRITE)
    @Description("gml.io.writeRelationshipsFromFile(name, from, to, relationshipCount, type, "
            + "properties, offsets, kinds) - as gml.io.writeRelationships for rows from..to of the "
            + "transport file `name`: int64 sources at byte 0, int64 targets after them, "
            + "scalar column i at byte offsets[i]")
    public Stream<WrittenRow> writeRelationshipsFromFile(
            @Name("name") String name,
            @Name("from") Long from,
            @Name("to") Long to,
            @Name("relationshipCount") Long total,
            @Name("type") String type,
            @Name("properties") List<String> properties,
            @Name("offsets") List<Long> offsets,
            @Name("kinds") List<String> kinds) {
        try (FileChannel channel = open(name)) {
            int rows = rows(from, to);
            LongBuffer src = map(channel, 8L * from, 8L * rows).asLongBuffer();
            LongBuffer dst = map(channel, 8L * (total + from), 8L * rows).asLongBuffer();
            List<Long> widths = BulkIo.scalars(properties);
            List<ByteBuffer> values = slices(channel, from, rows, offsets, widths, kinds);
            BulkIo.Column[] columns = BulkIo.columns(properties, values, widths, kinds, rows);
            return Stream.of(new WrittenRow(BulkIo.writeRelationships(tx, src, dst, type, columns)));
        } catch (IOException e) {
            throw new IllegalArgumentException("gml.io: cannot read transport file " + name + ": " + e, e);
        }
    }

    private FileChannel open(String name) throws IOException {
        Path file = resolve(requireDirectory(), name);
        return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    private static int rows(Long from, Long to) {
        if (from == null || to == null || from < 0 || to < from || to - from > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("gml.io: bad row range " + from + ".." + to);
        }
        return (int) (to - from);
    }

    /** Rows {@code from..from+rows} of each column, mapped (a batch, not the whole file). */
    private static List<ByteBuffer> slices(FileChannel channel, long from, int rows, List<Long> offsets,
            List<Long> widths, List<String> kinds) throws IOException {
        int count = offsets == null ? 0 : offsets.size();
        if (widths == null || kinds == null || widths.size() != count || kinds.size() != count) {
            throw new IllegalArgumentException(
                    "offsets, widths and kinds must have the same length");
        }
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long rowBytes = Math.max(1, widths.get(i)) * (long) BulkIo.Column.itemSize(kinds.get(i));
            out.add(map(channel, offsets.get(i) + rowBytes * from, rowBytes * rows));
        }
        return out;
    }

    private static ByteBuffer map(FileChannel channel, long position, long size) throws IOException {
        if (position < 0 || size < 0 || position + size > channel.size() || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("gml.io: bytes " + position + ".." + (position + size)
                    + " are outside the transport file of " + channel.size() + " bytes");
        }
        if (size == 0) return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        return channel.map(FileChannel.MapMode.READ_ONLY, position, size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
