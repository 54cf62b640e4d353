package org.neo4j_gml.procedures;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.UserFunction;

/**
 * {@code gml.similarity.jaccard|overlap|cosine|pearson|euclidean|euclideanDistance(vector1,
 * vector2)}: GDS's {@code gds.similarity.*} functions, computed in the plugin row by row (no
 * service call). The reference is {@code neo4j_gml.algorithms.similarity.functions}, which says
 * what each computes: jaccard over multisets, overlap as distinct shared values over the shorter
 * length, null elements left out there and counted as 0 by the numerical functions, which need
 * non-empty lists of the same length.
 *
 * <p>Values are compared by value (1 equals 1.0) in the order of Java's {@code Double.compare};
 * integers beyond 2^53 are compared exactly with doubles.
 */
public class GmlSimilarityFunctions {

    @UserFunction(name = "gml.similarity.jaccard")
    @Description("gml.similarity.jaccard(vector1, vector2) - Jaccard similarity of two lists taken as"
            + " multisets (nulls left out; 0 for a null list, 1 for two empty lists), as"
            + " gds.similarity.jaccard")
    public double jaccard(@Name("vector1") List<Number> vector1, @Name("vector2") List<Number> vector2) {
        if (vector1 == null || vector2 == null) return 0.0;
        // integers beyond 2^53 need exact comparison with doubles: the slower path
        if (needsExact(vector1) || needsExact(vector2)) return jaccardExact(vector1, vector2);
        double[] a = sortedValues("gml.similarity.jaccard", "vector1", vector1);
        double[] b = sortedValues("gml.similarity.jaccard", "vector2", vector2);
        int i = 0;
        int j = 0;
        long both = 0;
        while (i < a.length && j < b.length) {
            int c = Double.compare(a[i], b[j]);
            if (c == 0) {
                both++;
                i++;
                j++;
            } else if (c < 0) {
                i++;
            } else {
                j++;
            }
        }
        long union = a.length + b.length - both;
        return union == 0 ? 1.0 : (double) both / union;
    }

    @UserFunction(name = "gml.similarity.overlap")
    @Description("gml.similarity.overlap(vector1, vector2) - distinct values in both lists over the"
            + " shorter list's length (nulls left out; 0 for an empty or null list), as"
            + " gds.similarity.overlap")
    public double overlap(@Name("vector1") List<Number> vector1, @Name("vector2") List<Number> vector2) {
        if (vector1 == null || vector2 == null) return 0.0;
        Number[] a = sortedNumbers("gml.similarity.overlap", "vector1", vector1);
        Number[] b = sortedNumbers("gml.similarity.overlap", "vector2", vector2);
        int shorter = Math.min(a.length, b.length);
        if (shorter == 0) return 0.0;
        int i = 0;
        int j = 0;
        long both = 0;
        while (i < a.length && j < b.length) {
            int c = compare(a[i], b[j]);
            if (c == 0) {
                both++;
                Number value = a[i];
                while (i < a.length && compare(a[i], value) == 0) i++;
                while (j < b.length && compare(b[j], value) == 0) j++;
            } else if (c < 0) {
                i++;
            } else {
                j++;
            }
        }
        return (double) both / shorter;
    }

    @UserFunction(name = "gml.similarity.cosine")
    @Description("gml.similarity.cosine(vector1, vector2) - cosine similarity of two non-empty lists"
            + " of the same length (null elements count as 0; NaN for a zero vector), as"
            + " gds.similarity.cosine")
    public double cosine(@Name("vector1") List<Number> vector1, @Name("vector2") List<Number> vector2) {
        String fn = "gml.similarity.cosine";
        checkLengths(fn, vector1, vector2);
        double[] a = values(fn, "vector1", vector1);
        double[] b = values(fn, "vector2", vector2);
        double dot = 0;
        double xx = 0;
        double yy = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            xx += a[i] * a[i];
            yy += b[i] * b[i];
        }
        return dot / Math.sqrt(xx * yy);
    }

    @UserFunction(name = "gml.similarity.pearson")
    @Description("gml.similarity.pearson(vector1, vector2) - Pearson correlation of two non-empty lists"
            + " of the same length (null elements count as 0; 0 for a constant list), as"
            + " gds.similarity.pearson")
    public double pearson(@Name("vector1") List<Number> vector1, @Name("vector2") List<Number> vector2) {
        String fn = "gml.similarity.pearson";
        checkLengths(fn, vector1, vector2);
        double[] a = values(fn, "vector1", vector1);
        double[] b = values(fn, "vector2", vector2);
        int n = a.length;
        double sumA = 0;
        double sumB = 0;
        for (int i = 0; i < n; i++) {
            sumA += a[i];
            sumB += b[i];
        }
        double meanA = sumA / n;
        double meanB = sumB / n;
        double dot = 0;
        double xx = 0;
        double yy = 0;
        for (int i = 0; i < n; i++) {
            double dx = a[i] - meanA;
            double dy = b[i] - meanB;
            dot += dx * dy;
            xx += dx * dx;
            yy += dy * dy;
        }
        double r = dot / Math.sqrt(xx * yy);
        return Double.isNaN(r) ? 0.0 : r;
    }

    @UserFunction(name = "gml.similarity.euclideanDistance")
    @Description("gml.similarity.euclideanDistance(vector1, vector2) - Euclidean distance of two"
            + " non-empty lists of the same length (null elements count as 0), as"
            + " gds.similarity.euclideanDistance")
    public double euclideanDistance(@Name("vector1") List<Number> vector1, @Name("vector2") List<Number> vector2) {
        return distance("gml.similarity.euclideanDistance", vector1, vector2);
    }

    @UserFunction(name = "gml.similarity.euclidean")
    @Description("gml.similarity.euclidean(vector1, vector2) - 1 / (1 + Euclidean distance) of two"
            + " non-empty lists of the same length (null elements count as 0), as"
            + " gds.similarity.euclidean")
    public double euclidean(@Name("vector1") List<Number> vector1, @Name("vector2") List<Number> vector2) {
        return 1.0 / (1.0 + distance("gml.similarity.euclidean", vector1, vector2));
    }

    // ------------------------------------------------------------------ helpers

    private static double distance(String fn, List<Number> vector1, List<Number> vector2) {
        checkLengths(fn, vector1, vector2);
        double[] a = values(fn, "vector1", vector1);
        double[] b = values(fn, "vector2", vector2);
        double total = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            total += d * d;
        }
        return Math.sqrt(total);
    }

    private static void checkLengths(String fn, List<Number> vector1, List<Number> vector2) {
        if (vector1 == null || vector2 == null) {
            throw new IllegalArgumentException(fn + ": " + (vector1 == null ? "vector1" : "vector2")
                    + " must be a list of numbers, got null");
        }
        if (vector1.size() != vector2.size() || vector1.isEmpty()) {
            throw new IllegalArgumentException(fn + ": vector1 and vector2 must be non-empty lists of"
                    + " the same length, got lengths " + vector1.size() + " and " + vector2.size());
        }
    }

    private static Number number(String fn, String argument, Object value, int index) {
        if (value == null || value instanceof Number) return (Number) value;
        throw new IllegalArgumentException(fn + ": " + argument + " must be a list of numbers, but"
                + " element " + index + " is " + value + " (" + value.getClass().getSimpleName() + ")");
    }

    /** The values as doubles, null as 0. */
    private static double[] values(String fn, String argument, List<? extends Object> vector) {
        double[] out = new double[vector.size()];
        int i = 0;
        for (Object o : vector) {
            Number n = number(fn, argument, o, i);
            out[i++] = n == null ? 0.0 : n.doubleValue();
        }
        return out;
    }

    /** The non-null values as sorted doubles (the jaccard fast path). */
    private static double[] sortedValues(String fn, String argument, List<? extends Object> vector) {
        double[] out = new double[vector.size()];
        int k = 0;
        int i = 0;
        for (Object o : vector) {
            Number n = number(fn, argument, o, i++);
            if (n != null) out[k++] = n.doubleValue();
        }
        out = Arrays.copyOf(out, k);
        Arrays.sort(out); // Double.compare's order
        return out;
    }

    /** Whether a value is an integer that a double does not hold exactly. */
    private static boolean needsExact(List<? extends Object> vector) {
        for (Object o : vector) {
            if (o instanceof Long l && (l > (1L << 53) || l < -(1L << 53))) return true;
        }
        return false;
    }

    private static double jaccardExact(List<Number> vector1, List<Number> vector2) {
        Number[] a = sortedNumbers("gml.similarity.jaccard", "vector1", vector1);
        Number[] b = sortedNumbers("gml.similarity.jaccard", "vector2", vector2);
        int i = 0;
        int j = 0;
        long both = 0;
        while (i < a.length && j < b.length) {
            int c = compare(a[i], b[j]);
            if (c == 0) {
                both++;
                i++;
                j++;
            } else if (c < 0) {
                i++;
            } else {
                j++;
            }
        }
        long union = a.length + b.length - both;
        return union == 0 ? 1.0 : (double) both / union;
    }

    /** The non-null numbers, sorted by {@link #compare}. */
    private static Number[] sortedNumbers(String fn, String argument, List<? extends Object> vector) {
        Number[] out = new Number[vector.size()];
        int k = 0;
        int i = 0;
        for (Object o : vector) {
            Number n = number(fn, argument, o, i++);
            if (n != null) out[k++] = n;
        }
        out = Arrays.copyOf(out, k);
        Arrays.sort(out, GmlSimilarityFunctions::compare);
        return out;
    }

    /**
     * Numbers by value: two integers exactly, an integer and a double exactly (also beyond
     * 2^53), doubles as {@code Double.compare} (-0.0 below 0.0, NaN above everything).
     */
    static int compare(Number x, Number y) {
        boolean xInt = x instanceof Long || x instanceof Integer;
        boolean yInt = y instanceof Long || y instanceof Integer;
        if (xInt && yInt) return Long.compare(x.longValue(), y.longValue());
        if (xInt) return -compareWithLong(y.doubleValue(), x.longValue());
        if (yInt) return compareWithLong(x.doubleValue(), y.longValue());
        return Double.compare(x.doubleValue(), y.doubleValue());
    }

    private static int compareWithLong(double d, long l) {
        if (l <= (1L << 53) && l >= -(1L << 53)) return Double.compare(d, (double) l);
        if (Double.isNaN(d)) return 1;
        if (Double.isInfinite(d)) return d > 0 ? 1 : -1;
        return new BigDecimal(d).compareTo(BigDecimal.valueOf(l));
    }
}
