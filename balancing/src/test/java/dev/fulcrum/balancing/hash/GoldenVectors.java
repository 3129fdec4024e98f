package dev.fulcrum.balancing.hash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of the committed vector files under {@code hash-vectors/}, written by
 * {@code make_vectors.py} from CPython and independent pure-Python implementations (see that
 * script for the format). Reading them here keeps the tests free of any Python at run time.
 */
final class GoldenVectors {

    /** Hand-picked keys with every function's value. */
    static final String VECTORS = "/hash-vectors/vectors.tsv";
    /** Every power of two and random doubles: Python's repr, hash and BKDR only. */
    static final String FLOAT_BULK = "/hash-vectors/float-bulk.tsv";

    /** One key: its shape ({@code float}, {@code int}, {@code bytes}), the key, and named values. */
    record Row(String kind, String key, Map<String, String> values, String origin) {

        double doubleKey() {
            return Double.longBitsToDouble(Long.parseUnsignedLong(key, 16));
        }

        long longKey() {
            return Long.parseLong(key);
        }

        byte[] bytesKey() {
            return "-".equals(key) ? new byte[0] : HexFormat.of().parseHex(key);
        }

        boolean has(String name) {
            return values.containsKey(name);
        }

        long hash(String name) {
            String value = values.get(name);
            if (value == null) {
                throw new IllegalArgumentException("name: " + name + " (expected: one of " + values.keySet()
                                                   + " at " + origin + ')');
            }
            return Long.parseLong(value);
        }

        String text(String name) {
            return values.get(name);
        }

        /** Names the row in assertion messages: file, line and key. */
        String describe() {
            return origin + ' ' + kind + ' ' + key + ("float".equals(kind) ? " (" + text("repr") + ')' : "");
        }
    }

    private GoldenVectors() {
    }

    static List<Row> rows(String resource, String kind) {
        List<Row> selected = new ArrayList<>();
        for (Row row : rows(resource)) {
            if (row.kind().equals(kind)) {
                selected.add(row);
            }
        }
        return selected;
    }

    static List<Row> rows(String resource) {
        InputStream in = GoldenVectors.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("resource: " + resource + " (expected: on the test classpath)");
        }
        List<Row> rows = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                rows.add(parse(line, resource + ':' + number));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    private static Row parse(String line, String origin) {
        String[] fields = line.split("\t");
        if (fields.length < 3) {
            throw new IllegalArgumentException("line: " + line + " (expected: kind, key, name=value... at "
                                               + origin + ')');
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 2; i < fields.length; i++) {
            int equals = fields[i].indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("field: " + fields[i] + " (expected: name=value at "
                                                   + origin + ')');
            }
            values.put(fields[i].substring(0, equals), fields[i].substring(equals + 1));
        }
        return new Row(fields[0], fields[1], values, origin);
    }
}
