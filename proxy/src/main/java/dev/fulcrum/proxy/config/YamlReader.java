package dev.fulcrum.proxy.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns the text of a file into a YAML tree, reporting what makes it unusable as a whole: a
 * syntax error, a duplicate key, an empty file, a second document, an alias.
 */
final class YamlReader {

    // Without strict detection a repeated key silently wins over the first: an operator editing
    // the first copy would see no effect.
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    static final String FILE = "(file)";

    private YamlReader() {
    }

    /** The document's tree, or {@code null} when there is none to read (the problem is reported). */
    static JsonNode read(String text, Problems problems) {
        JsonNode root;
        try (JsonParser parser = MAPPER.createParser(text)) {
            root = MAPPER.readTree(parser);
            if (root == null || root.isMissingNode() || root.isNull()) {
                problems.add(FILE, "empty (expected: a YAML map with listeners and pools)");
                return null;
            }
            rejectMoreDocuments(parser, problems);
        } catch (StreamReadException e) {
            reportUnreadable(e, problems);
            return null;
        } catch (JsonProcessingException e) {
            problems.add(FILE, "invalid YAML" + at(e.getLocation()) + ": " + e.getOriginalMessage());
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("reading from a string", e);
        }
        // What an alias stands for is unknown here: checking on would report its name as a wrong value.
        return rejectAliases(text, problems) ? null : root;
    }

    // Jackson reads only the first document of a stream: the rest would be ignored without a word.
    private static void rejectMoreDocuments(JsonParser parser, Problems problems) throws IOException {
        JsonToken token;
        while ((token = parser.nextToken()) != null) {
            if (token != JsonToken.VALUE_NULL) {
                problems.add(FILE, "a second YAML document" + at(parser.currentTokenLocation())
                        + " (expected: one document; remove the --- line before it)");
                return;
            }
        }
    }

    // Jackson's tree model does not resolve aliases: `*name` reads as the string "name", which would
    // then be reported as a strange value far from its cause. Say what it is instead.
    private static boolean rejectAliases(String text, Problems problems) {
        if (text.indexOf('*') < 0) {
            return false;
        }
        boolean found = false;
        try (YAMLParser parser = (YAMLParser) MAPPER.createParser(text)) {
            while (parser.nextToken() != null) {
                if (parser.isCurrentAlias()) {
                    found = true;
                    problems.add(pathOf(parser.getParsingContext()), "alias *" + parser.getText()
                            + at(parser.currentTokenLocation()) + " (expected: the value written out; aliases are not supported)");
                }
            }
        } catch (IOException e) {
            // The first pass read the same text without a problem: nothing to add here.
        }
        return found;
    }

    private static void reportUnreadable(StreamReadException e, Problems problems) {
        String message = e.getOriginalMessage();
        JsonParser parser = e.getProcessor();
        if (message != null && message.startsWith("Duplicate field") && parser != null) {
            problems.add(pathOf(parser.getParsingContext()), "duplicate key" + at(e.getLocation())
                    + " (expected: each key once in a map)");
            return;
        }
        if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException yaml) {
            // SnakeYAML's problem mark is where the error is; Jackson's location is where the last
            // good token ended, which can be a line earlier.
            org.yaml.snakeyaml.error.Mark mark = yaml.getProblemMark();
            String where = mark == null ? at(e.getLocation())
                    : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            String context = yaml.getContext() == null ? "" : " (" + yaml.getContext() + ")";
            problems.add(FILE, "invalid YAML" + where + ": " + oneLine(yaml.getProblem()) + context);
            return;
        }
        problems.add(FILE, "invalid YAML" + at(e.getLocation()) + ": " + oneLine(message));
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String oneLine(String message) {
        return message == null ? "unreadable" : message.strip().replaceAll("\\s*\\n\\s*", " ");
    }

    /** The path of the value a parser is at, in the form problems use. */
    static String pathOf(JsonStreamContext context) {
        StringBuilder path = new StringBuilder();
        appendPath(context, path);
        return path.isEmpty() ? "(root)" : path.toString();
    }

    private static void appendPath(JsonStreamContext context, StringBuilder path) {
        if (context == null || context.inRoot()) {
            return;
        }
        appendPath(context.getParent(), path);
        if (context.inArray()) {
            path.append('[').append(Math.max(context.getCurrentIndex(), 0)).append(']');
        } else if (context.getCurrentName() != null) {
            String parent = path.toString();
            path.setLength(0);
            path.append(Cursor.childPath(parent, context.getCurrentName()));
        }
    }
}
