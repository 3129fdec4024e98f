package dev.fulcrum.proxy.qnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * What a child Fulcrum said in its {@code GET /api/feedback} answer: its active flows (all its
 * parents' together) and its reward, {@code null} when it has measured none yet (Mizutani, Sensors
 * 2022, §3.5: the feedback module sends F_j and r_j up). Parsed strictly: a child that sends
 * something else (a negative or absurd count, a reward outside [0, 1], not JSON) is treated as no
 * feedback, and the problem is kept for the operator.
 */
record ChildReport(long activeFlows, Double reward, long receivedNanos) {

    /** More flows than any one Fulcrum holds: a report above this is a lie or a bug. */
    static final long MAX_FLOWS = 1L << 31;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @throws IllegalArgumentException naming the field, what was found and what was expected */
    static ChildReport parse(byte[] body, long receivedNanos) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("body: not JSON (" + firstLine(e.getMessage()) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("body: " + abbreviate(String.valueOf(root)) + " (expected: a JSON object)");
        }
        JsonNode flows = root.get("activeFlows");
        if (flows == null || !flows.isIntegralNumber() || flows.asLong() < 0 || flows.asLong() > MAX_FLOWS) {
            throw new IllegalArgumentException("activeFlows: " + (flows == null ? "absent" : abbreviate(flows.toString()))
                    + " (expected: an integer from 0 to " + MAX_FLOWS + ")");
        }
        JsonNode reward = root.get("reward");
        Double value = null;
        if (reward != null && !reward.isNull()) {
            if (!reward.isNumber() || !(reward.asDouble() >= 0 && reward.asDouble() <= 1)) {
                throw new IllegalArgumentException("reward: " + abbreviate(reward.toString()) + " (expected: a number from 0 to 1, or null)");
            }
            value = reward.asDouble();
        }
        return new ChildReport(flows.asLong(), value, receivedNanos);
    }

    private static String firstLine(String text) {
        int newline = text == null ? -1 : text.indexOf('\n');
        return newline < 0 ? String.valueOf(text) : text.substring(0, newline);
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
