package dev.fulcrum.proxy.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A policy's parameters: from YAML to the plain Java values a factory reads, and its problems back to paths. */
final class PolicyParameters {

    // "tableSize: ..." or "weights.a: ..." / "hosts[2]: ...": a parameter, then maybe a path inside it.
    private static final Pattern PARAMETER_PROBLEM =
            Pattern.compile("([A-Za-z0-9_-]+)((?:\\.[A-Za-z0-9_-]+|\\[\\d+])*): (.+)", Pattern.DOTALL);

    private PolicyParameters() {
    }

    /**
     * Strings, booleans, numbers (as Jackson read them: Integer, Long, BigInteger, Double), and
     * unmodifiable lists and maps of them. An empty value is reported, since a factory would take
     * {@code null} for "not given".
     */
    static Object toJava(Cursor value) {
        JsonNode node = value.node();
        if (node.isNull()) {
            return value.expected("a value");
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.numberValue();
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            value.entries().forEach((k, v) -> map.put(k, toJava(v)));
            return Collections.unmodifiableMap(map);
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            value.elements().forEach(v -> list.add(toJava(v)));
            return Collections.unmodifiableList(list);
        }
        return value.expected("a string, number, boolean, list or map");
    }

    /**
     * Reports a factory's problem at the parameter it names ({@code "tableSize: 12 (expected: a prime)"}
     * goes to {@code pools.web.policy.tableSize}); a problem naming none goes to the policy itself.
     */
    static void report(Cursor policy, String problem) {
        Matcher m = PARAMETER_PROBLEM.matcher(problem);
        if (m.matches()) {
            policy.field(m.group(1)).reportBelow(m.group(2), m.group(3));
        } else {
            policy.report(problem);
        }
    }
}
