package dev.fulcrum.proxy.config;

import static dev.fulcrum.proxy.config.ConfigTesting.MINIMAL;
import static dev.fulcrum.proxy.config.ConfigTesting.problemsOf;
import static dev.fulcrum.proxy.config.ConfigTesting.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.fulcrum.balancing.Policies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are wrong: the exact problems reported for each rule of the format. */
class ConfigProblemsTest {

    /** Every policy type on the class path, as the problem lists them. */
    private static final String POLICY_TYPES = String.join(", ", Policies.types());

    @TempDir
    Path dir;

    private static List<String> loadProblems(Path file) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e).isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    /** MINIMAL with {@code extra} added to the web listener. */
    private static String withListenerField(String extra) {
        return MINIMAL.replace("    pool: web\n", "    pool: web\n    " + extra + "\n");
    }

    /** MINIMAL with its backends replaced by {@code backends} (lines under {@code backends:}). */
    private static String withBackends(String backends) {
        return MINIMAL.replace("      - 127.0.0.1:9001\n", backends);
    }

    @Test
    void aFileWithSeveralProblemsReportsAllOfThemInOrder() {
        assertThat(problemsOf(resource("several-problems.yaml"))).containsExactly(
                "cfg.yaml: runtime.transport: \"epol\" (expected one of: auto, epoll, nio)",
                "cfg.yaml: runtime.drainTimeout: 30 (expected: a duration with a unit, e.g. 30s)",
                "cfg.yaml: listeners.web.connectTimout: unknown field, did you mean connectTimeout? (expected one of:"
                        + " bind, pool, key, maxConnections, connectTimeout, connectAttempts, idleTimeout, writeBuffer,"
                        + " proxyProtocol, proxyProtocolTimeout, sniTimeout)",
                "cfg.yaml: listeners.web.pool: \"wbe\" names no pool (expected one of: web)",
                "cfg.yaml: listeners.web.idleTimeout: \"5 minutes\" (expected: a duration such as 250ms, 2s, 5m or 1h)",
                "cfg.yaml: listeners.api.bind: \"127.0.0.1:8080\" is already bound by listener web"
                        + " (expected: an address nothing else binds)",
                "cfg.yaml: listeners.api.writeBuffer: low 128KiB is above high 64KiB (expected: low <= high)",
                "cfg.yaml: pools.web.policy.type: \"magic\" (expected one of: " + POLICY_TYPES + ")",
                "cfg.yaml: pools.web.backends[1].name: \"a\" is already used by backends[0]"
                        + " (expected: a name unique in the pool)",
                "cfg.yaml: pools.web.backends[2].address: \"10.0.0.1\" (expected: host:port, e.g. 127.0.0.1:8080)",
                "cfg.yaml: pools.web.backends[3].weight: -3 (expected: an integer from 1 to 10000)");
    }

    @Test
    void theExceptionMessageIsEveryProblemOnItsOwnLine() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse("runtime: {eventLoops: -1}\n", "in.yaml"));

        assertThat(e.problems()).containsExactly(
                new ConfigProblem("in.yaml", "runtime.eventLoops", "-1 (expected: an integer from 0 to 1024)"),
                new ConfigProblem("in.yaml", "listeners", "missing (expected: a map of listeners by name, at least one)"),
                new ConfigProblem("in.yaml", "pools", "missing (expected: a map of pools by name, at least one)"));
        assertThat(e.getMessage()).isEqualTo("""
                in.yaml: runtime.eventLoops: -1 (expected: an integer from 0 to 1024)
                in.yaml: listeners: missing (expected: a map of listeners by name, at least one)
                in.yaml: pools: missing (expected: a map of pools by name, at least one)""");
    }

    // ---- the file as a whole ----

    @Test
    void aMissingFileIsReportedUnderItsNameAsGiven() {
        Path file = dir.resolve("nope.yaml");
        assertThat(loadProblems(file))
                .containsExactly(file + ": (file): does not exist (expected: a readable YAML file)");
        assertThat(loadProblems(Path.of("no/such/fulcrum.yaml")))
                .containsExactly("no/such/fulcrum.yaml: (file): does not exist (expected: a readable YAML file)");
    }

    @Test
    void aDirectoryIsReportedAsNotAFile() {
        assertThat(loadProblems(dir)).containsExactly(dir + ": (file): is a directory (expected: a YAML file)");
    }

    @Test
    void aFileThatIsNotUtf8IsReported() throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});
        assertThat(loadProblems(file))
                .containsExactly(file + ": (file): is not UTF-8 text (expected: a YAML file in UTF-8)");
    }

    @Test
    void problemsOfALoadedFileNameIt() throws Exception {
        Path file = dir.resolve("fulcrum.yaml");
        Files.writeString(file, "listeners: {}\n");
        assertThat(loadProblems(file)).containsExactly(
                file + ": listeners: an empty map (expected: a map of listeners by name, at least one)",
                file + ": pools: missing (expected: a map of pools by name, at least one)");
    }


    @Test
    void anEmptyFileIsReported() {
        String expected = "cfg.yaml: (file): empty (expected: a YAML map with listeners and pools)";
        assertThat(problemsOf("")).containsExactly(expected);
        assertThat(problemsOf("# nothing but a comment\n")).containsExactly(expected);
        assertThat(problemsOf("---\n")).containsExactly(expected);
    }

    @Test
    void aSyntaxErrorIsReportedWithItsLineAndColumn() {
        assertThat(problemsOf("""
                listeners:
                  web:
                    bind: [127.0.0.1:8080
                    pool: web
                """)).containsExactly("cfg.yaml: (file): invalid YAML at line 4, column 9:"
                + " expected ',' or ']', but got : (while parsing a flow sequence)");
    }

    @Test
    void aSyntaxErrorPointsAtTheOffendingLineNotThePreviousToken() {
        assertThat(problemsOf("""
                pools:
                  - web
                  api: 1
                """)).containsExactly("cfg.yaml: (file): invalid YAML at line 3, column 3:"
                + " expected <block end>, but found '?' (while parsing a block collection)");
    }

    @Test
    void tabIndentationIsASyntaxError() {
        assertThat(problemsOf("listeners:\n\tweb: {}\n")).containsExactly("cfg.yaml: (file): invalid YAML at line 2,"
                + " column 1: found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for"
                + " indentation) (while scanning for the next token)");
    }

    @Test
    void aDuplicateKeyIsReportedAtItsPath() {
        assertThat(problemsOf("""
                listeners:
                  web:
                    bind: 127.0.0.1:8080
                    bind: 127.0.0.1:8081
                """)).containsExactly(
                "cfg.yaml: listeners.web.bind: duplicate key at line 4, column 9 (expected: each key once in a map)");
    }

    @Test
    void aDuplicateSectionIsReportedToo() {
        assertThat(problemsOf(MINIMAL + "pools: {}\n"))
                .containsExactly("cfg.yaml: pools: duplicate key at line 9, column 6 (expected: each key once in a map)");
    }

    @Test
    void aSecondDocumentIsReportedRatherThanIgnored() {
        assertThat(problemsOf(MINIMAL + "---\nruntime: {transport: nio}\n")).containsExactly(
                "cfg.yaml: (file): a second YAML document at line 10, column 1"
                        + " (expected: one document; remove the --- line before it)");
    }

    @Test
    void anAliasIsReportedRatherThanReadAsItsName() {
        assertThat(problemsOf("""
                listeners:
                  web: &listener {bind: 127.0.0.1:8080, pool: web}
                  api: *listener
                pools: {web: {backends: [127.0.0.1:9001]}}
                """)).containsExactly("cfg.yaml: listeners.api: alias *listener at line 3, column 8"
                + " (expected: the value written out; aliases are not supported)");
    }

    @Test
    void aTopValueThatIsNotAMapIsReported() {
        assertThat(problemsOf("- listeners\n- pools\n"))
                .containsExactly("cfg.yaml: (root): a list (expected: a map with listeners and pools)");
        assertThat(problemsOf("listeners\n"))
                .containsExactly("cfg.yaml: (root): \"listeners\" (expected: a map with listeners and pools)");
    }

    // ---- sections ----

    @Test
    void missingListenersAndPoolsAreBothReported() {
        assertThat(problemsOf("runtime: {transport: nio}\n")).containsExactly(
                "cfg.yaml: listeners: missing (expected: a map of listeners by name, at least one)",
                "cfg.yaml: pools: missing (expected: a map of pools by name, at least one)");
    }

    @Test
    void emptyListenersAndPoolsAreReported() {
        assertThat(problemsOf("listeners: {}\npools:\n")).containsExactly(
                "cfg.yaml: listeners: an empty map (expected: a map of listeners by name, at least one)",
                "cfg.yaml: pools: empty (expected: a map of pools by name, at least one)");
    }

    @Test
    void sectionsOfTheWrongTypeAreReported() {
        assertThat(problemsOf("""
                runtime: 1
                admin: [127.0.0.1:9901]
                telemetry: fast
                listeners: [web]
                pools: web
                """)).containsExactly(
                "cfg.yaml: runtime: 1 (expected: a map with transport, eventLoops, drainTimeout, watchConfig)",
                "cfg.yaml: admin: a list (expected: a map with address and tokenFile; address: off turns the admin API off)",
                "cfg.yaml: telemetry: \"fast\" (expected: a map with tick, enabled, reservoirSize, emaDecay, stream, dataset)",
                "cfg.yaml: listeners: a list (expected: a map of listeners by name, at least one)",
                "cfg.yaml: pools: \"web\" (expected: a map of pools by name, at least one)");
    }

    @Test
    void unknownFieldSuggestsTheNearestKnownOne() {
        assertThat(problemsOf(withListenerField("connectTimout: 2s"))).containsExactly(
                "cfg.yaml: listeners.web.connectTimout: unknown field, did you mean connectTimeout? (expected one of:"
                        + " bind, pool, key, maxConnections, connectTimeout, connectAttempts, idleTimeout, writeBuffer,"
                        + " proxyProtocol, proxyProtocolTimeout, sniTimeout)");
        assertThat(problemsOf("listners: {}\n" + MINIMAL)).containsExactly("cfg.yaml: listners: unknown field,"
                + " did you mean listeners? (expected one of: runtime, admin, telemetry, listeners, pools, qos)");
        assertThat(problemsOf("runtime: {eventloops: 2}\n" + MINIMAL)).containsExactly("cfg.yaml: runtime.eventloops:"
                + " unknown field, did you mean eventLoops? (expected one of: transport, eventLoops, drainTimeout, watchConfig)");
    }

    @Test
    void unknownFieldFarFromEveryKnownOneListsThemWithoutAGuess() {
        assertThat(problemsOf(withListenerField("timeout: 2s"))).containsExactly(
                "cfg.yaml: listeners.web.timeout: unknown field (expected one of: bind, pool, key, maxConnections,"
                        + " connectTimeout, connectAttempts, idleTimeout, writeBuffer, proxyProtocol, proxyProtocolTimeout, sniTimeout)");
        assertThat(problemsOf(withBackends("      - {address: 127.0.0.1:9001, tags: [a]}\n"))).containsExactly(
                "cfg.yaml: pools.web.backends[0].tags: unknown field (expected one of: address, name, weight,"
                        + " maxConnections)");
    }

    // ---- runtime, admin, telemetry ----

    @Test
    void runtimeValuesOutOfRangeAreReported() {
        assertThat(problemsOf("runtime: {transport: EPOLL, eventLoops: 2000, drainTimeout: 25h}\n" + MINIMAL))
                .containsExactly(
                        "cfg.yaml: runtime.transport: \"EPOLL\" (expected one of: auto, epoll, nio)",
                        "cfg.yaml: runtime.eventLoops: 2000 (expected: an integer from 0 to 1024)",
                        "cfg.yaml: runtime.drainTimeout: \"25h\" (expected: a duration from 0 to 24h)");
        assertThat(problemsOf("runtime: {eventLoops: -1}\n" + MINIMAL))
                .containsExactly("cfg.yaml: runtime.eventLoops: -1 (expected: an integer from 0 to 1024)");
    }

    @Test
    void aBareNumberForADurationAsksForAUnit() {
        assertThat(problemsOf("runtime: {drainTimeout: 30}\ntelemetry: {tick: 0.5}\n" + MINIMAL)).containsExactly(
                "cfg.yaml: runtime.drainTimeout: 30 (expected: a duration with a unit, e.g. 30s)",
                "cfg.yaml: telemetry.tick: 0.5 (expected: a duration with a unit, e.g. 0.5s)");
    }

    @Test
    void telemetryTickOutsideItsRangeIsReported() {
        String expected = "(expected: a duration from 10ms to 60s)";
        assertThat(problemsOf("telemetry: {tick: 5ms}\n" + MINIMAL))
                .containsExactly("cfg.yaml: telemetry.tick: \"5ms\" " + expected);
        assertThat(problemsOf("telemetry: {tick: 61s}\n" + MINIMAL))
                .containsExactly("cfg.yaml: telemetry.tick: \"61s\" " + expected);
        assertThat(problemsOf("telemetry: {tick: 0.1ms}\n" + MINIMAL))
                .containsExactly("cfg.yaml: telemetry.tick: \"0.1ms\" (expected: a whole number of milliseconds, e.g. 250ms)");
    }

    @Test
    void adminAddressMustBeHostPortOrOff() {
        assertThat(problemsOf("admin: {address: localhost}\n" + MINIMAL)).containsExactly(
                "cfg.yaml: admin.address: \"localhost\" (expected: host:port, e.g. 127.0.0.1:8080)");
        assertThat(problemsOf("admin: {address: on}\n" + MINIMAL)).containsExactly(
                "cfg.yaml: admin.address: true (expected: host:port for the admin API, e.g. 127.0.0.1:9901, or off)");
        assertThat(problemsOf("admin: {address: 9901}\n" + MINIMAL)).containsExactly(
                "cfg.yaml: admin.address: 9901 (expected: host:port for the admin API, e.g. 127.0.0.1:9901, or off)");
    }

    @Test
    void aListenerMayNotBindTheAdminAddress() {
        assertThat(problemsOf(MINIMAL.replace("127.0.0.1:8080", "127.0.0.1:9901"))).containsExactly(
                "cfg.yaml: listeners.web.bind: \"127.0.0.1:9901\" is already bound by the admin API"
                        + " (expected: an address nothing else binds)");
    }
}
