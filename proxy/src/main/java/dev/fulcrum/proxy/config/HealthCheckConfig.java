package dev.fulcrum.proxy.config;

import java.time.Duration;
import java.util.List;

/**
 * A pool's active health checks ({@code pools.<name>.health}), with HAProxy's meaning of rise and
 * fall: a DOWN backend needs {@code rise} consecutive passed checks to go UP, an UP one
 * {@code fall} consecutive failed checks to go DOWN. Every backend starts UP, so a restarted proxy
 * sends traffic at once instead of holding it back until the first checks come in.
 *
 * @param type        {@code tcp}: the connect succeeds; {@code http}: a GET of {@code path} answers
 *                    a status that {@code expectStatus} allows
 * @param path        the request path of an http check ({@code /} by default); {@code null} for tcp
 * @param expectStatus for http, the statuses that pass: each entry a status ({@code "200"}) or a
 *                    class ({@code "2xx"}); {@code ["200"]} by default; empty for tcp
 * @param interval    between the starts of two checks of a backend (plus up to 10% jitter)
 * @param timeout     a check that takes longer (connect and answer together) fails; less than interval
 */
public record HealthCheckConfig(
        Type type, String path, List<String> expectStatus, Duration interval, Duration timeout, int rise, int fall) {

    public static final String DEFAULT_PATH = "/";
    public static final List<String> DEFAULT_EXPECT_STATUS = List.of("200");
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;

    public enum Type {
        TCP("tcp"),
        HTTP("http");

        private final String configName;

        Type(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    public HealthCheckConfig {
        expectStatus = List.copyOf(expectStatus);
    }

    /** A tcp check. */
    public static HealthCheckConfig tcp(Duration interval, Duration timeout, int rise, int fall) {
        return new HealthCheckConfig(Type.TCP, null, List.of(), interval, timeout, rise, fall);
    }

    /** An http check. */
    public static HealthCheckConfig http(String path, List<String> expectStatus, Duration interval, Duration timeout,
            int rise, int fall) {
        return new HealthCheckConfig(Type.HTTP, path, expectStatus, interval, timeout, rise, fall);
    }

    /** Whether an http check answering {@code status} passes. */
    public boolean expects(int status) {
        String text = Integer.toString(status);
        for (String expected : expectStatus) {
            if (expected.equals(text) || (expected.endsWith("xx") && expected.charAt(0) == text.charAt(0))) {
                return true;
            }
        }
        return false;
    }
}
