package dev.fulcrum.learned.qnet;

import dev.fulcrum.balancing.DurationNotation;
import dev.fulcrum.learned.rl.FlowReward;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code q-network} policy's parameters besides its model, read and checked once.
 *
 * @param temperature Boltzmann temperature (paper: 1)
 * @param beta weight of this hop's measurement in the reward (paper: 0.5; 1 = IFS-RL, no feedback)
 * @param feedback each child's {@code GET /api/feedback} URL, by backend name
 * @param feedbackTimeout how long a poll may take before it counts as no answer
 * @param transitions the NDJSON file transitions are appended to, or {@code null}
 */
public record QNetworkSettings(double temperature, double beta, Map<String, URI> feedback, Duration feedbackTimeout,
        String transitions) {

    static final double DEFAULT_TEMPERATURE = 1.0;
    static final Duration DEFAULT_FEEDBACK_TIMEOUT = Duration.ofMillis(200);

    public QNetworkSettings {
        feedback = Map.copyOf(feedback);
    }

    /** Whether children's reports go into the state and reward (false for beta = 1, the IFS-RL variant). */
    public boolean usesFeedback() {
        return beta < 1;
    }

    public FlowReward reward() {
        return new FlowReward(beta);
    }

    /** Reads the parameters; each problem found goes to {@code problems} and its default is used. */
    static QNetworkSettings read(Map<String, Object> parameters, List<String> problems) {
        double temperature = positive(parameters, "temperature", DEFAULT_TEMPERATURE, problems);
        double beta = FlowReward.PAPER_BETA;
        Object betaValue = parameters.get("beta");
        if (betaValue != null) {
            if (betaValue instanceof Number number && number.doubleValue() >= 0 && number.doubleValue() <= 1) {
                beta = number.doubleValue();
            } else {
                problems.add("beta: " + betaValue + " (expected: a number from 0 to 1; 0.5 in the paper, 1 for no feedback)");
            }
        }
        Map<String, URI> feedback = new LinkedHashMap<>();
        Object urls = parameters.get("feedback");
        if (urls instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                URI uri = url(entry.getValue());
                if (uri == null) {
                    problems.add("feedback." + entry.getKey() + ": " + entry.getValue()
                            + " (expected: an http URL such as http://127.0.0.1:9901/api/feedback)");
                } else {
                    feedback.put(String.valueOf(entry.getKey()), uri);
                }
            }
        } else if (urls != null) {
            problems.add("feedback: " + urls + " (expected: a map from backend name to its http://.../api/feedback URL)");
        }
        Duration timeout = DEFAULT_FEEDBACK_TIMEOUT;
        Object timeoutValue = parameters.get("feedbackTimeout");
        if (timeoutValue != null) {
            try {
                timeout = DurationNotation.parse(String.valueOf(timeoutValue));
                if (timeout.isZero() || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
                    problems.add("feedbackTimeout: " + timeoutValue + " (expected: more than 0 and at most 10s)");
                    timeout = DEFAULT_FEEDBACK_TIMEOUT;
                }
            } catch (IllegalArgumentException e) {
                problems.add("feedbackTimeout: " + timeoutValue + " (expected: " + DurationNotation.RULE + ")");
            }
        }
        Object transitions = parameters.get("transitions");
        if (transitions != null && !(transitions instanceof String path && !path.isBlank())) {
            problems.add("transitions: " + transitions + " (expected: the path of an NDJSON file to append transitions to)");
            transitions = null;
        }
        return new QNetworkSettings(temperature, beta, feedback, timeout, (String) transitions);
    }

    private static double positive(Map<String, Object> parameters, String name, double fallback, List<String> problems) {
        Object value = parameters.get(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number number && number.doubleValue() > 0 && Double.isFinite(number.doubleValue())) {
            return number.doubleValue();
        }
        problems.add(name + ": " + value + " (expected: a finite number > 0)");
        return fallback;
    }

    private static URI url(Object value) {
        if (!(value instanceof String text)) {
            return null;
        }
        try {
            URI uri = new URI(text);
            return "http".equals(uri.getScheme()) && uri.getHost() != null && uri.getPort() > 0 ? uri : null;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    static List<String> problems(Map<String, Object> parameters) {
        List<String> problems = new ArrayList<>();
        read(parameters, problems);
        return problems;
    }
}
