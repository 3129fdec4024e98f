package dev.fulcrum.proxy.config;

import static dev.fulcrum.proxy.config.ConfigTesting.parse;
import static dev.fulcrum.proxy.config.ConfigTesting.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pool's {@code health:}: its defaults, and the exact problems reported for wrong values. */
class HealthCheckProblemsTest {

    /** A file whose web pool has {@code health} (a flow map). */
    private static String withHealth(String health) {
        return "listeners: {web: {bind: 127.0.0.1:8080, pool: web}}\n"
                + "pools:\n  web: {backends: [127.0.0.1:9001], health: " + health + "}\n";
    }

    private static HealthCheckConfig healthOf(String health) throws ConfigException {
        return parse(withHealth(health)).pools().get("web").health();
    }

    @Test
    void withoutHealthAPoolHasNoChecks() throws Exception {
        assertThat(parse(ConfigTesting.MINIMAL).pools().get("web").health()).isNull();
    }

    @Test
    void aTcpCheckTakesTheDefaults() throws Exception {
        assertThat(healthOf("{type: tcp}")).isEqualTo(
                HealthCheckConfig.tcp(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3));
    }

    @Test
    void anHttpCheckTakesTheDefaults() throws Exception {
        assertThat(healthOf("{type: http}")).isEqualTo(
                HealthCheckConfig.http("/", List.of("200"), Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3));
    }

    @Test
    void expectStatusIsAStatusAClassOrAListOfThose() throws Exception {
        assertThat(healthOf("{type: http, expectStatus: 204}").expectStatus()).containsExactly("204");
        assertThat(healthOf("{type: http, expectStatus: \"204\"}").expectStatus()).containsExactly("204");
        assertThat(healthOf("{type: http, expectStatus: 2XX}").expectStatus()).containsExactly("2xx");
        assertThat(healthOf("{type: http, expectStatus: [200, 3xx, 200]}").expectStatus()).containsExactly("200", "3xx");
        HealthCheckConfig check = healthOf("{type: http, expectStatus: [204, 3xx]}");
        assertThat(check.expects(204)).isTrue();
        assertThat(check.expects(302)).isTrue();
        assertThat(check.expects(200)).isFalse();
        assertThat(check.expects(503)).isFalse();
    }

    @Test
    void aHealthThatIsNotAMapOrHasNoTypeIsReported() {
        assertThat(problemsOf(withHealth("tcp"))).containsExactly(
                "cfg.yaml: pools.web.health: \"tcp\" (expected: a map with type (tcp or http) and the check's settings)");
        assertThat(problemsOf(withHealth("{interval: 1s}"))).containsExactly(
                "cfg.yaml: pools.web.health.type: missing (expected one of: tcp, http)");
        assertThat(problemsOf(withHealth("{type: udp}"))).containsExactly(
                "cfg.yaml: pools.web.health.type: \"udp\" (expected one of: tcp, http)");
    }

    @Test
    void unknownFieldsAreReportedWithTheNearestName() {
        assertThat(problemsOf(withHealth("{type: tcp, intervall: 1s}"))).containsExactly(
                "cfg.yaml: pools.web.health.intervall: unknown field, did you mean interval?"
                        + " (expected one of: type, path, expectStatus, interval, timeout, rise, fall)");
    }

    @Test
    void theTimeoutMustBeShorterThanTheInterval() {
        assertThat(problemsOf(withHealth("{type: tcp, interval: 1s, timeout: 1s}"))).containsExactly(
                "cfg.yaml: pools.web.health.timeout: \"1s\" (expected: less than interval, 1s)");
        assertThat(problemsOf(withHealth("{type: tcp, interval: 500ms}"))).containsExactly(
                "cfg.yaml: pools.web.health.timeout: the default 1s (expected: less than interval, 500ms)");
    }

    @Test
    void intervalsTimeoutsRiseAndFallOutOfRangeAreReported() {
        assertThat(problemsOf(withHealth("{type: tcp, interval: 5ms, timeout: 0, rise: 0, fall: 101}"))).containsExactly(
                "cfg.yaml: pools.web.health.interval: \"5ms\" (expected: a duration from 10ms to 1h)",
                "cfg.yaml: pools.web.health.timeout: 0 (expected: a duration from 1ms to 1h)",
                "cfg.yaml: pools.web.health.rise: 0 (expected: an integer from 1 to 100)",
                "cfg.yaml: pools.web.health.fall: 101 (expected: an integer from 1 to 100)");
        assertThat(problemsOf(withHealth("{type: tcp, interval: 2}"))).containsExactly(
                "cfg.yaml: pools.web.health.interval: 2 (expected: a duration with a unit, e.g. 2s)");
    }

    @Test
    void aPathMustStartWithASlashAndHaveNoBlanks() {
        assertThat(problemsOf(withHealth("{type: http, path: healthz}"))).containsExactly(
                "cfg.yaml: pools.web.health.path: \"healthz\" (expected: a path starting with /, without blanks, e.g. /healthz)");
        assertThat(problemsOf(withHealth("{type: http, path: \"/a b\"}"))).containsExactly(
                "cfg.yaml: pools.web.health.path: \"/a b\" (expected: a path starting with /, without blanks, e.g. /healthz)");
    }

    @Test
    void wrongStatusesAreReportedOneByOne() {
        assertThat(problemsOf(withHealth("{type: http, expectStatus: 99}"))).containsExactly(
                "cfg.yaml: pools.web.health.expectStatus: 99 (expected: a status from 100 to 599, or a class 1xx to 5xx)");
        assertThat(problemsOf(withHealth("{type: http, expectStatus: [200, 6xx, ok]}"))).containsExactly(
                "cfg.yaml: pools.web.health.expectStatus[1]: \"6xx\" (expected: a status from 100 to 599, or a class 1xx to 5xx)",
                "cfg.yaml: pools.web.health.expectStatus[2]: \"ok\" (expected: a status from 100 to 599, or a class 1xx to 5xx)");
        assertThat(problemsOf(withHealth("{type: http, expectStatus: []}"))).containsExactly(
                "cfg.yaml: pools.web.health.expectStatus: an empty list"
                        + " (expected: a status from 100 to 599, or a class 1xx to 5xx, or a list of those)");
    }

    @Test
    void httpFieldsOnATcpCheckAreReported() {
        assertThat(problemsOf(withHealth("{type: tcp, path: /healthz, expectStatus: 200}"))).containsExactly(
                "cfg.yaml: pools.web.health.path: not used by type tcp (expected: type http, or no path)",
                "cfg.yaml: pools.web.health.expectStatus: not used by type tcp (expected: type http, or no expectStatus)");
    }
}
