package org.neo4j_gml.procedures;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.Endianness;
import org.apache.arrow.flatbuf.Field;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.FloatingPoint;
import org.apache.arrow.flatbuf.Int;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.MetadataVersion;
import org.apache.arrow.flatbuf.Precision;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.flatbuf.Schema;
import org.apache.arrow.flatbuf.Type;

/**
 * Columns as one Apache Arrow IPC stream (a schema message, one record batch, the end-of-stream
 * marker), so that any Arrow reader ({@code pyarrow.ipc.open_stream}, Arrow Java, DuckDB,
 * Polars) reads what the {@code gml.io} procedures return over Bolt with {@code format:
 * 'arrow'}. The messages are built with Arrow's own FlatBuffers schema classes ({@code
 * org.apache.arrow:arrow-format}); the columns are non-null int64 or float64, so each has an
 * empty validity buffer and one data buffer, both 8-byte aligned as the format requires.
 *
 * <p>See the Arrow columnar format, "Serialization and Interprocess Communication (IPC)":
 * https://arrow.apache.org/docs/format/Columnar.html#serialization-and-interprocess-communication-ipc
 */
final class ArrowIpc {
    /** A column of {@code rows} values: {@code longs} (int64) or {@code doubles} (float64). */
    record Column(String name, long[] longs, double[] doubles) {}

    private ArrowIpc() {}

    /** The IPC stream of {@code columns}, each holding {@code rows} values. */
    static byte[] stream(List<Column> columns, int rows) {
        byte[] schema = schema(columns);
        long bodyLength = 8L * rows * columns.size();
        byte[] batch = batch(columns.size(), rows, bodyLength);
        long size = framed(schema) + framed(batch) + bodyLength + 8;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an Arrow row of " + size + " bytes is too large");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        frame(out, schema);
        frame(out, batch);
        for (Column column : columns) {
            if (column.longs() != null) {
                out.asLongBuffer().put(column.longs(), 0, rows);
            } else {
                out.asDoubleBuffer().put(column.doubles(), 0, rows);
            }
            out.position(out.position() + 8 * rows);
        }
        out.putInt(-1); // end of stream: continuation marker, then a zero-length message
        out.putInt(0);
        return out.array();
    }

    private static int padded(int length) {
        return (length + 7) & ~7;
    }

    private static long framed(byte[] metadata) {
        return 8L + padded(metadata.length);
    }

    /** An encapsulated message: 0xFFFFFFFF, the padded metadata size, the metadata, padding. */
    private static void frame(ByteBuffer out, byte[] metadata) {
        out.putInt(-1);
        out.putInt(padded(metadata.length));
        out.put(metadata);
        for (int i = metadata.length; i < padded(metadata.length); i++) out.put((byte) 0);
    }

    private static byte[] schema(List<Column> columns) {
        FlatBufferBuilder b = new FlatBufferBuilder(256);
        int[] fields = new int[columns.size()];
        for (int i = 0; i < fields.length; i++) {
            Column column = columns.get(i);
            int name = b.createString(column.name());
            boolean integral = column.longs() != null;
            int type = integral
                    ? Int.createInt(b, 64, true)
                    : FloatingPoint.createFloatingPoint(b, Precision.DOUBLE);
            int children = Field.createChildrenVector(b, new int[0]);
            fields[i] = Field.createField(
                    b, name, false, integral ? Type.Int : Type.FloatingPoint, type, 0, children, 0);
        }
        int vector = Schema.createFieldsVector(b, fields);
        int schema = Schema.createSchema(b, Endianness.Little, vector, 0, 0);
        b.finish(Message.createMessage(b, MetadataVersion.V5, MessageHeader.Schema, schema, 0L, 0));
        return b.sizedByteArray();
    }

    private static byte[] batch(int columns, int rows, long bodyLength) {
        FlatBufferBuilder b = new FlatBufferBuilder(256);
        RecordBatch.startNodesVector(b, columns);
        for (int i = columns - 1; i >= 0; i--) FieldNode.createFieldNode(b, rows, 0);
        int nodes = b.endVector();
        RecordBatch.startBuffersVector(b, 2 * columns);
        for (int i = columns - 1; i >= 0; i--) { // structs are prepended: last buffer first
            long offset = 8L * rows * i;
            Buffer.createBuffer(b, offset, 8L * rows); // data
            Buffer.createBuffer(b, offset, 0); // validity: none (no nulls)
        }
        int buffers = b.endVector();
        int batch = RecordBatch.createRecordBatch(b, rows, nodes, buffers, 0, 0);
        b.finish(Message.createMessage(
                b, MetadataVersion.V5, MessageHeader.RecordBatch, batch, bodyLength, 0));
        return b.sizedByteArray();
    }
}
