package dev.fulcrum.proxy.reliability;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Mutates ONNX model files for the model-file fuzz: blind byte mutations (flip, overwrite, cut,
 * insert) and mutations that know the protobuf structure of onnx.proto (ModelProto and the messages
 * under it), so that a file still parses and reaches the checks past the parser: a field deleted,
 * duplicated or swapped with a sibling; two initializers' names or two metadata values swapped; a
 * varint (a dimension, a type, a version) made huge or negative; weights overwritten with NaN or
 * infinity; a shape dimension changed; a metadata value replaced by a hostile one. Seeded: the same
 * random gives the same mutants. The field numbers are onnx.proto's (IR version 8).
 */
final class OnnxMutator {

    /** One protobuf field: its number, wire type, and a varint, raw bytes, or (a known message) its fields. */
    static final class Field {
        final int number;
        final int wireType;
        long varint;
        byte[] bytes;
        List<Field> children;

        Field(int number, int wireType) {
            this.number = number;
            this.wireType = wireType;
        }

        Field copy() {
            Field copy = new Field(number, wireType);
            copy.varint = varint;
            copy.bytes = bytes == null ? null : bytes.clone();
            if (children != null) {
                copy.children = new ArrayList<>();
                for (Field child : children) {
                    copy.children.add(child.copy());
                }
            }
            return copy;
        }
    }

    private enum Type { MODEL, GRAPH, NODE, ATTRIBUTE, TENSOR, VALUE_INFO, TYPE, TENSOR_TYPE, SHAPE, DIMENSION, ENTRY, OPSET }

    /** Length-delimited fields that hold a message, per message type (onnx.proto). */
    private static final Map<Type, Map<Integer, Type>> MESSAGES = Map.ofEntries(
            Map.entry(Type.MODEL, Map.of(7, Type.GRAPH, 8, Type.OPSET, 14, Type.ENTRY)),
            Map.entry(Type.GRAPH, Map.of(1, Type.NODE, 5, Type.TENSOR, 11, Type.VALUE_INFO, 12, Type.VALUE_INFO, 13, Type.VALUE_INFO)),
            Map.entry(Type.NODE, Map.of(5, Type.ATTRIBUTE)),
            Map.entry(Type.ATTRIBUTE, Map.of(5, Type.TENSOR, 6, Type.GRAPH)),
            Map.entry(Type.VALUE_INFO, Map.of(2, Type.TYPE)),
            Map.entry(Type.TYPE, Map.of(1, Type.TENSOR_TYPE)),
            Map.entry(Type.TENSOR_TYPE, Map.of(2, Type.SHAPE)),
            Map.entry(Type.SHAPE, Map.of(1, Type.DIMENSION)),
            Map.entry(Type.TENSOR, Map.of()),
            Map.entry(Type.DIMENSION, Map.of()),
            Map.entry(Type.ENTRY, Map.of()),
            Map.entry(Type.OPSET, Map.of()));

    private static final long[] HUGE = {Integer.MAX_VALUE, 1L << 32, 1L << 40, Long.MAX_VALUE, -1, -(1L << 31), 0, 1 << 20};
    private static final float[] BAD_FLOATS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -0.0f};
    private static final String[] HOSTILE = {"", "NaN", "-1", "0", "1e309", "99999999999999999999", "[[", "[]", "[[1e39]]",
        "[[0.5]]", "[[\"a\"]]", "{\"a\":1}", "null", "learned-hash", "q-network", "load-estimator", "2", " 1 ", "\u0000",
        "[" + "[0.5],".repeat(2000) + "[0.5]]", "x".repeat(70_000)};

    private final SplittableRandom random;
    /** The kinds of mutation made, by name (for the test's report). */
    String last;

    OnnxMutator(SplittableRandom random) {
        this.random = random;
    }

    /** A mutant of {@code model}: one to three mutations, blind or structural. */
    byte[] mutate(byte[] model) {
        byte[] bytes = model;
        StringBuilder names = new StringBuilder();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            int choice = random.nextInt(12);
            String name;
            if (choice < 3) {
                name = "bytes";
                bytes = blind(bytes);
            } else {
                List<Field> fields = parse(bytes, Type.MODEL);
                if (fields == null || fields.isEmpty()) { // an earlier blind mutation broke the structure: stay blind
                    name = "bytes";
                    bytes = blind(bytes);
                } else {
                    name = structural(fields, choice);
                    bytes = write(fields);
                }
            }
            names.append(i == 0 ? "" : "+").append(name);
        }
        last = names.toString();
        return bytes;
    }

    private byte[] blind(byte[] bytes) {
        byte[] out = bytes.clone();
        switch (random.nextInt(4)) {
            case 0 -> {
                for (int n = 1 + random.nextInt(8); n > 0 && out.length > 0; n--) {
                    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> {
                byte[] values = {0, (byte) 0xff, 0x7f, (byte) 0x80, 0x08, 0x12};
                for (int n = 1 + random.nextInt(4); n > 0 && out.length > 0; n--) {
                    out[random.nextInt(out.length)] = values[random.nextInt(values.length)];
                }
            }
            case 2 -> out = Arrays.copyOf(out, random.nextInt(Math.max(1, out.length)));
            default -> {
                int at = random.nextInt(out.length + 1);
                byte[] noise = new byte[1 + random.nextInt(64)];
                random.nextBytes(noise);
                ByteArrayOutputStream joined = new ByteArrayOutputStream();
                joined.write(out, 0, at);
                joined.writeBytes(noise);
                joined.write(out, at, out.length - at);
                out = joined.toByteArray();
            }
        }
        return out;
    }

    private String structural(List<Field> model, int choice) {
        List<Field> all = new ArrayList<>();
        List<List<Field>> parents = new ArrayList<>();
        collect(model, all, parents);
        switch (choice) {
            case 3 -> { // a field deleted (an initializer, a node, an input, a metadata entry, a dimension...)
                int i = random.nextInt(all.size());
                parents.get(i).remove(all.get(i));
                return "delete field " + all.get(i).number;
            }
            case 4 -> { // a field duplicated beside itself (two graphs, two inputs, two dims...)
                int i = random.nextInt(all.size());
                List<Field> parent = parents.get(i);
                parent.add(parent.indexOf(all.get(i)), all.get(i).copy());
                return "duplicate field " + all.get(i).number;
            }
            case 5 -> { // two initializers exchange their names: each op gets the other's tensor (and shape)
                List<Field> tensors = matching(all, f -> f.number == 5 && f.children != null && has(f, 8));
                if (tensors.size() < 2) {
                    return structural(model, 6);
                }
                Field a = tensors.get(random.nextInt(tensors.size()));
                Field b = tensors.get(random.nextInt(tensors.size()));
                byte[] name = child(a, 8).bytes;
                child(a, 8).bytes = child(b, 8).bytes;
                child(b, 8).bytes = name;
                return "swap tensor names";
            }
            case 6 -> { // two metadata values exchanged (golden input <-> key range, kind <-> version...)
                List<Field> entries = matching(model, f -> f.number == 14 && f.children != null && has(f, 2));
                if (entries.isEmpty()) {
                    return structural(model, 7);
                }
                Field a = entries.get(random.nextInt(entries.size()));
                Field b = entries.get(random.nextInt(entries.size()));
                byte[] value = child(a, 2).bytes;
                child(a, 2).bytes = child(b, 2).bytes;
                child(b, 2).bytes = value;
                return "swap metadata values";
            }
            case 7 -> { // a varint made huge, negative or zero (dims, data types, dim values, IR version...)
                List<Field> varints = matching(all, f -> f.wireType == 0);
                if (varints.isEmpty()) {
                    return structural(model, 4);
                }
                varints.get(random.nextInt(varints.size())).varint = HUGE[random.nextInt(HUGE.length)];
                return "huge varint";
            }
            case 8 -> { // weights: some or all floats NaN, infinite or huge
                List<Field> data = matching(all, f -> (f.number == 9 || f.number == 4) && f.wireType == 2 && f.bytes != null
                        && f.bytes.length >= 4 && f.children == null);
                if (data.isEmpty()) {
                    return structural(model, 7);
                }
                Field weights = data.get(random.nextInt(data.size()));
                ByteBuffer floats = ByteBuffer.wrap(weights.bytes).order(ByteOrder.LITTLE_ENDIAN);
                float bad = BAD_FLOATS[random.nextInt(BAD_FLOATS.length)];
                boolean all_ = random.nextBoolean();
                for (int at = 0; at + 4 <= weights.bytes.length; at += 4) {
                    if (all_ || random.nextInt(8) == 0) {
                        floats.putFloat(at, bad);
                    }
                }
                return "bad weights " + bad;
            }
            case 9 -> { // a shape dimension of an input or output changed, or a named one made a number
                List<Field> dims = matching(all, f -> f.number == 1 && f.children != null && f.children.stream().allMatch(
                        d -> d.number == 1 && d.wireType == 0 || d.number == 2 && d.wireType == 2));
                if (dims.isEmpty()) {
                    return structural(model, 7);
                }
                Field dim = dims.get(random.nextInt(dims.size()));
                Field value = new Field(1, 0);
                value.varint = random.nextInt(4) == 0 ? HUGE[random.nextInt(HUGE.length)] : random.nextInt(10);
                dim.children.clear();
                dim.children.add(value);
                return "shape dim " + value.varint;
            }
            default -> { // a metadata value replaced by a hostile one
                List<Field> entries = matching(model, f -> f.number == 14 && f.children != null && has(f, 2));
                if (entries.isEmpty()) {
                    return structural(model, 7);
                }
                Field entry = entries.get(random.nextInt(entries.size()));
                child(entry, 2).bytes = HOSTILE[random.nextInt(HOSTILE.length)].getBytes(StandardCharsets.UTF_8);
                return "metadata " + new String(child(entry, 1) == null ? new byte[0] : child(entry, 1).bytes, StandardCharsets.UTF_8);
            }
        }
    }

    private static void collect(List<Field> fields, List<Field> all, List<List<Field>> parents) {
        for (Field field : fields) {
            all.add(field);
            parents.add(fields);
            if (field.children != null) {
                collect(field.children, all, parents);
            }
        }
    }

    private static List<Field> matching(List<Field> fields, Predicate<Field> test) {
        List<Field> out = new ArrayList<>();
        for (Field field : fields) {
            if (test.test(field)) {
                out.add(field);
            }
        }
        return out;
    }

    /** Whether the message has a length-delimited field {@code number} (a name, a value: not a varint of the same number). */
    private static boolean has(Field message, int number) {
        Field child = child(message, number);
        return child != null && child.wireType == 2 && child.bytes != null;
    }

    private static Field child(Field message, int number) {
        for (Field field : message.children) {
            if (field.number == number) {
                return field;
            }
        }
        return null;
    }

    /** {@code model} with the metadata key {@code key} renamed to {@code newKey} (any bytes: a NUL, nothing). */
    static byte[] renameMetadataKey(byte[] model, String key, byte[] newKey) {
        List<Field> fields = parse(model, Type.MODEL);
        for (Field entry : matching(fields, f -> f.number == 14 && f.children != null && has(f, 1))) {
            if (new String(child(entry, 1).bytes, StandardCharsets.UTF_8).equals(key)) {
                child(entry, 1).bytes = newKey;
                return write(fields);
            }
        }
        throw new IllegalArgumentException("no metadata key " + key);
    }

    /** The fields of a message of {@code type}, or {@code null} if the bytes are not valid wire format. */
    static List<Field> parse(byte[] bytes, Type type) {
        List<Field> fields = new ArrayList<>();
        int[] at = {0};
        try {
            while (at[0] < bytes.length) {
                long key = varint(bytes, at);
                Field field = new Field((int) (key >>> 3), (int) (key & 7));
                switch (field.wireType) {
                    case 0 -> field.varint = varint(bytes, at);
                    case 1 -> field.bytes = slice(bytes, at, 8);
                    case 5 -> field.bytes = slice(bytes, at, 4);
                    case 2 -> {
                        long length = varint(bytes, at);
                        if (length < 0 || length > bytes.length - at[0]) {
                            return null;
                        }
                        field.bytes = slice(bytes, at, (int) length);
                        Type child = MESSAGES.get(type).get(field.number);
                        if (child != null) {
                            field.children = parse(field.bytes, child);
                            if (field.children == null) {
                                return null;
                            }
                            field.bytes = null;
                        }
                    }
                    default -> {
                        return null;
                    }
                }
                fields.add(field);
            }
        } catch (ArrayIndexOutOfBoundsException truncated) {
            return null;
        }
        return fields;
    }

    static byte[] write(List<Field> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Field field : fields) {
            writeVarint(out, ((long) field.number << 3) | field.wireType);
            switch (field.wireType) {
                case 0 -> writeVarint(out, field.varint);
                case 2 -> {
                    byte[] value = field.children != null ? write(field.children) : field.bytes;
                    writeVarint(out, value.length);
                    out.writeBytes(value);
                }
                default -> out.writeBytes(field.bytes);
            }
        }
        return out.toByteArray();
    }

    private static byte[] slice(byte[] bytes, int[] at, int length) {
        if (at[0] + length > bytes.length) {
            throw new ArrayIndexOutOfBoundsException("truncated");
        }
        byte[] out = Arrays.copyOfRange(bytes, at[0], at[0] + length);
        at[0] += length;
        return out;
    }

    private static long varint(byte[] bytes, int[] at) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = bytes[at[0]++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new ArrayIndexOutOfBoundsException("varint longer than 10 bytes");
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
