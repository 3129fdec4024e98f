package dev.fulcrum.balancing.hash;

import static dev.fulcrum.balancing.hash.GoldenVectors.FLOAT_BULK;
import static dev.fulcrum.balancing.hash.GoldenVectors.VECTORS;
import static dev.fulcrum.balancing.hash.GoldenVectors.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

import dev.fulcrum.balancing.hash.GoldenVectors.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every function against the committed vectors: CPython's own {@code hash()} and {@code repr()},
 * and independent pure-Python Murmur3, xxHash64, SipHash and BKDR (self-checked against published
 * values by the generating script).
 */
class GoldenVectorsTest {

    private static List<Row> allFloats() {
        List<Row> floats = new ArrayList<>(rows(VECTORS, "float"));
        floats.addAll(rows(FLOAT_BULK, "float"));
        return floats;
    }

    @Test
    void vectorsHoldTheKeysTheTestsRelyOn() {
        // Guards against a truncated or regenerated-without-these file passing vacuously.
        Set<String> floats = rows(VECTORS, "float").stream().map(row -> row.text("repr"))
                                                  .collect(Collectors.toSet());
        assertThat(floats).contains("0.0", "-0.0", "1.0", "0.5", "1e+16", "1.5e-07", "123456.789", "-2.5",
                                    "1.7976931348623157e+308", "5e-324", "inf", "-inf", "nan");
        Set<Long> ints = rows(VECTORS, "int").stream().map(Row::longKey).collect(Collectors.toSet());
        assertThat(ints).contains(-1L, (1L << 61) - 1, Long.MAX_VALUE, Long.MIN_VALUE);
        assertThat(rows(VECTORS, "bytes")).hasSizeGreaterThan(40);
        assertThat(rows(FLOAT_BULK, "float")).hasSizeGreaterThan(3000);
    }

    @Test
    void pythonHashOfDoublesMatchesCPython() {
        assertSoftly(softly -> {
            for (Row row : allFloats()) {
                if (row.has("python")) {
                    softly.assertThat(HashFunctions.PYTHON.hashDouble(row.doubleKey())).as(row.describe())
                          .isEqualTo(row.hash("python"));
                }
            }
        });
    }

    @Test
    void pythonReprOfDoublesMatchesCPython() {
        assertSoftly(softly -> {
            for (Row row : allFloats()) {
                softly.assertThat(PythonFloatRepr.repr(row.doubleKey())).as(row.describe())
                      .isEqualTo(row.text("repr"));
            }
        });
    }

    @Test
    void bkdrOfDoublesHashesTheirPythonRepr() {
        assertSoftly(softly -> {
            for (Row row : allFloats()) {
                softly.assertThat(HashFunctions.BKDR.hashDouble(row.doubleKey())).as(row.describe())
                      .isEqualTo(row.hash("bkdr"));
            }
        });
    }

    @Test
    void pythonHashOfLongsMatchesCPythonIntHash() {
        assertSoftly(softly -> {
            for (Row row : rows(VECTORS, "int")) {
                softly.assertThat(HashFunctions.PYTHON.hashLong(row.longKey())).as(row.describe())
                      .isEqualTo(row.hash("python"));
            }
        });
    }

    @Test
    void bkdrOfLongsHashesTheirDecimalText() {
        assertSoftly(softly -> {
            for (Row row : rows(VECTORS, "int")) {
                softly.assertThat(HashFunctions.BKDR.hashLong(row.longKey())).as(row.describe())
                      .isEqualTo(row.hash("bkdr"));
            }
        });
    }

    @Test
    void pythonHashOfBytesMatchesCPythonWithHashSeedZero() {
        assertSoftly(softly -> {
            for (Row row : rows(VECTORS, "bytes")) {
                softly.assertThat(HashFunctions.PYTHON.hashBytes(row.bytesKey())).as(row.describe())
                      .isEqualTo(row.hash("python"));
            }
        });
    }

    @Test
    void bkdrOfBytesMatchesTheReference() {
        assertSoftly(softly -> {
            for (Row row : rows(VECTORS, "bytes")) {
                softly.assertThat(HashFunctions.BKDR.hashBytes(row.bytesKey())).as(row.describe())
                      .isEqualTo(row.hash("bkdr"));
            }
        });
    }

    @Test
    void murmur3IsTheLowHalfOfMurmurHash3X64With128BitsForEveryKeyShape() {
        assertEveryShapeMatches(HashFunctions.MURMUR3, "murmur3");
    }

    @Test
    void xxhash64MatchesAnIndependentXxh64ForEveryKeyShape() {
        assertEveryShapeMatches(HashFunctions.XXHASH64, "xxhash64");
    }

    /** Bytes as given; a long as its 8 little-endian bytes; a double as its IEEE bits, the same way. */
    private static void assertEveryShapeMatches(HashFunction function, String name) {
        assertSoftly(softly -> {
            for (Row row : rows(VECTORS, "bytes")) {
                softly.assertThat(function.hashBytes(row.bytesKey())).as(row.describe()).isEqualTo(row.hash(name));
            }
            for (Row row : rows(VECTORS, "int")) {
                softly.assertThat(function.hashLong(row.longKey())).as(row.describe()).isEqualTo(row.hash(name));
            }
            for (Row row : rows(VECTORS, "float")) {
                softly.assertThat(function.hashDouble(row.doubleKey())).as(row.describe())
                      .isEqualTo(row.hash(name));
            }
        });
    }
}
