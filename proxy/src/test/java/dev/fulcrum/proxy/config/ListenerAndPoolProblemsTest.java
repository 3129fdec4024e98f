package dev.fulcrum.proxy.config;

import static dev.fulcrum.proxy.config.ConfigTesting.MINIMAL;
import static dev.fulcrum.proxy.config.ConfigTesting.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Policies;
import org.junit.jupiter.api.Test;

/** The exact problems reported for wrong listeners, pools, backends and policies. */
class ListenerAndPoolProblemsTest {

    /** Every policy type on the class path, as the problem lists them. */
    private static final String POLICY_TYPES = String.join(", ", Policies.types());

    private static final String POOLS = "pools: {web: {backends: [127.0.0.1:9001]}}\n";

    /** MINIMAL with {@code extra} added to the web listener. */
    private static String withListenerField(String extra) {
        return MINIMAL.replace("    pool: web\n", "    pool: web\n    " + extra + "\n");
    }

    /** MINIMAL whose web pool is {@code pool} (a flow map). */
    private static String withPool(String pool) {
        return "listeners: {web: {bind: 127.0.0.1:8080, pool: web}}\npools:\n  web: " + pool + "\n";
    }

    // ---- listeners ----

    @Test
    void missingBindAndPoolAreReported() {
        assertThat(problemsOf("listeners: {web: {key: client-address}}\n" + POOLS)).containsExactly(
                "cfg.yaml: listeners.web.bind: missing (expected: host:port to listen on)",
                "cfg.yaml: listeners.web.pool: missing (expected: the name of a pool under pools)");
    }

    @Test
    void aListenerThatIsNotAMapIsReported() {
        assertThat(problemsOf("listeners: {web: 127.0.0.1:8080}\n" + POOLS)).containsExactly(
                "cfg.yaml: listeners.web: \"127.0.0.1:8080\" (expected: a map with bind and pool)");
        assertThat(problemsOf("listeners: {web: }\n" + POOLS)).containsExactly(
                "cfg.yaml: listeners.web: empty (expected: a map with bind and pool)");
    }

    @Test
    void aListenerNameOutsideTheAllowedCharactersIsReported() {
        assertThat(problemsOf("listeners: {\"web server\": {bind: 127.0.0.1:8080, pool: web}, _x: {bind: 127.0.0.1:1, pool: web}}\n"
                + POOLS)).containsExactly(
                "cfg.yaml: listeners[\"web server\"]: \"web server\" is not a valid listener name"
                        + " (expected: a name of letters, digits and _ . : -, starting with a letter or digit)",
                "cfg.yaml: listeners._x: \"_x\" is not a valid listener name"
                        + " (expected: a name of letters, digits and _ . : -, starting with a letter or digit)");
    }

    @Test
    void aBindWithoutAValidPortIsReported() {
        assertThat(problemsOf(MINIMAL.replace("127.0.0.1:8080", "127.0.0.1"))).containsExactly(
                "cfg.yaml: listeners.web.bind: \"127.0.0.1\" (expected: host:port, e.g. 127.0.0.1:8080)");
        assertThat(problemsOf(MINIMAL.replace("127.0.0.1:8080", "127.0.0.1:70000"))).containsExactly(
                "cfg.yaml: listeners.web.bind: \"127.0.0.1:70000\" (expected: a port from 0 to 65535)");
        assertThat(problemsOf(MINIMAL.replace("127.0.0.1:8080", "127.0.0.1:http"))).containsExactly(
                "cfg.yaml: listeners.web.bind: \"127.0.0.1:http\" (expected: host:port, e.g. 127.0.0.1:8080)");
        assertThat(problemsOf(MINIMAL.replace("127.0.0.1:8080", "8080"))).containsExactly(
                "cfg.yaml: listeners.web.bind: 8080 (expected: host:port, e.g. 127.0.0.1:8080)");
    }

    @Test
    void anIpv6AddressWithoutBracketsIsReported() {
        assertThat(problemsOf(MINIMAL.replace("127.0.0.1:8080", "\"::1:8080\""))).containsExactly(
                "cfg.yaml: listeners.web.bind: \"::1:8080\" (expected: [address]:port for an IPv6 address,"
                        + " e.g. [::1]:8080)");
    }

    @Test
    void twoListenersOnTheSameAddressAreReported() {
        assertThat(problemsOf("""
                listeners:
                  web: {bind: 127.0.0.1:8080, pool: web}
                  api: {bind: LOCALHOST:8081, pool: web}
                  web2: {bind: 127.0.0.1:8080, pool: web}
                  api2: {bind: localhost:8081, pool: web}
                """ + POOLS)).containsExactly(
                "cfg.yaml: listeners.web2.bind: \"127.0.0.1:8080\" is already bound by listener web"
                        + " (expected: an address nothing else binds)",
                "cfg.yaml: listeners.api2.bind: \"localhost:8081\" is already bound by listener api"
                        + " (expected: an address nothing else binds)");
    }

    @Test
    void aPoolReferenceToNoPoolListsThePools() {
        assertThat(problemsOf(MINIMAL.replace("pool: web", "pool: wbe"))).containsExactly(
                "cfg.yaml: listeners.web.pool: \"wbe\" names no pool (expected one of: web)");
        assertThat(problemsOf(MINIMAL.replace("pool: web", "pool: 1"))).containsExactly(
                "cfg.yaml: listeners.web.pool: 1 (expected: the name of a pool under pools)");
    }

    @Test
    void withoutPoolsOnlyThePoolsAreReportedNotEveryReferenceToThem() {
        assertThat(problemsOf("listeners: {web: {bind: 127.0.0.1:8080, pool: web}}\n")).containsExactly(
                "cfg.yaml: pools: missing (expected: a map of pools by name, at least one)");
    }

    @Test
    void listenerLimitsOutOfRangeAreReported() {
        assertThat(problemsOf(MINIMAL.replace("    pool: web\n", """
                    pool: web
                    key: client
                    maxConnections: 0
                    connectTimeout: 0s
                    connectAttempts: 17
                    idleTimeout: 169h
                """))).containsExactly(
                "cfg.yaml: listeners.web.key: \"client\" (expected one of: client-address, client-address-port, sni, proxy-source)",
                "cfg.yaml: listeners.web.maxConnections: 0 (expected: an integer >= 1)",
                "cfg.yaml: listeners.web.connectTimeout: \"0s\" (expected: a duration above 0 and at most 5m)",
                "cfg.yaml: listeners.web.connectAttempts: 17 (expected: an integer from 1 to 16)",
                "cfg.yaml: listeners.web.idleTimeout: \"169h\" (expected: a duration from 0 (never) to 168h)");
    }

    @Test
    void wronglyTypedListenerValuesAreReported() {
        assertThat(problemsOf(MINIMAL.replace("    pool: web\n", """
                    pool: web
                    maxConnections: 3000000000
                    connectTimeout: 10m
                    connectAttempts: 1.5
                    idleTimeout: -1s
                """))).containsExactly(
                "cfg.yaml: listeners.web.maxConnections: 3000000000 (expected: an integer >= 1)",
                "cfg.yaml: listeners.web.connectTimeout: \"10m\" (expected: a duration above 0 and at most 5m)",
                "cfg.yaml: listeners.web.connectAttempts: 1.5 (expected: an integer from 1 to 16)",
                "cfg.yaml: listeners.web.idleTimeout: \"-1s\" (expected: a duration such as 250ms, 2s, 5m or 1h)");
    }

    @Test
    void proxyProtocolValuesAreChecked() {
        assertThat(problemsOf(MINIMAL.replace("    pool: web\n", """
                    pool: web
                    proxyProtocol: v3
                    proxyProtocolTimeout: 0s
                """))).containsExactly(
                "cfg.yaml: listeners.web.proxyProtocol: \"v3\" (expected one of: off, v1, v2, any)",
                "cfg.yaml: listeners.web.proxyProtocolTimeout: \"0s\" (expected: a duration above 0 and at most 5m)");
        assertThat(problemsOf(withListenerField("proxyProtocol: true"))).containsExactly(
                "cfg.yaml: listeners.web.proxyProtocol: true (expected one of: off, v1, v2, any)");
        assertThat(problemsOf(withListenerField("proxyProtocolTimeout: 6m"))).containsExactly(
                "cfg.yaml: listeners.web.proxyProtocolTimeout: \"6m\" (expected: a duration above 0 and at most 5m)");
    }

    @Test
    void writeBufferSizesAreChecked() {
        assertThat(problemsOf(withListenerField("writeBuffer: {low: 0, high: 65MiB}"))).containsExactly(
                "cfg.yaml: listeners.web.writeBuffer.low: 0 (expected: a size from 1B to 64MiB)",
                "cfg.yaml: listeners.web.writeBuffer.high: \"65MiB\" (expected: a size from 1B to 64MiB)");
        assertThat(problemsOf(withListenerField("writeBuffer: {low: 32kb, high: 0.1B}"))).containsExactly(
                "cfg.yaml: listeners.web.writeBuffer.low: \"32kb\" (expected: a size in bytes, or a number with a unit"
                        + " B, KiB, MiB, KB or MB, e.g. 64KiB)",
                "cfg.yaml: listeners.web.writeBuffer.high: \"0.1B\" (expected: a whole number of bytes)");
    }

    @Test
    void writeBufferLowAboveHighIsReportedEvenWhenOneIsTheDefault() {
        assertThat(problemsOf(withListenerField("writeBuffer: {low: 128KiB, high: 64KiB}"))).containsExactly(
                "cfg.yaml: listeners.web.writeBuffer: low 128KiB is above high 64KiB (expected: low <= high)");
        assertThat(problemsOf(withListenerField("writeBuffer: {high: 16KiB}"))).containsExactly(
                "cfg.yaml: listeners.web.writeBuffer: low 32KiB is above high 16KiB (expected: low <= high)");
    }

    @Test
    void writeBufferMustBeAMap() {
        assertThat(problemsOf(withListenerField("writeBuffer: 64KiB"))).containsExactly(
                "cfg.yaml: listeners.web.writeBuffer: \"64KiB\" (expected: a map with low and high)");
        assertThat(problemsOf(withListenerField("writeBuffer: {hi: 64KiB}"))).containsExactly(
                "cfg.yaml: listeners.web.writeBuffer.hi: unknown field, did you mean high? (expected one of: low, high)");
    }

    // ---- pools and backends ----

    @Test
    void poolsWithoutBackendsAreReported() {
        assertThat(problemsOf("""
                listeners: {web: {bind: 127.0.0.1:8080, pool: a}}
                pools:
                  a: {}
                  b: {backends: []}
                  c: {backends: {x: 127.0.0.1:9001}}
                  d: 127.0.0.1:9001
                """)).containsExactly(
                "cfg.yaml: pools.a.backends: missing (expected: a list of backends, at least one)",
                "cfg.yaml: pools.b.backends: an empty list (expected: a list of backends, at least one)",
                "cfg.yaml: pools.c.backends: a map (expected: a list of backends, at least one)",
                "cfg.yaml: pools.d: \"127.0.0.1:9001\" (expected: a map with backends)");
    }

    @Test
    void aPoolNameOutsideTheAllowedCharactersIsReported() {
        assertThat(problemsOf("listeners: {web: {bind: 127.0.0.1:8080, pool: web}}\npools:\n"
                + "  web: {backends: [127.0.0.1:1]}\n  \"-x\": {backends: [127.0.0.1:1]}\n")).containsExactly(
                "cfg.yaml: pools.-x: \"-x\" is not a valid pool name"
                        + " (expected: a name of letters, digits and _ . : -, starting with a letter or digit)");
    }

    @Test
    void badBackendAddressesAreReported() {
        assertThat(problemsOf(withPool("""
                {backends: ["10.0.0.1", 10.0.0.3:0, 5, {weight: 2}, {address: "[::1]9001"}, ~]}"""))).containsExactly(
                "cfg.yaml: pools.web.backends[0]: \"10.0.0.1\" (expected: host:port, e.g. 127.0.0.1:8080)",
                "cfg.yaml: pools.web.backends[1]: \"10.0.0.3:0\" (expected: a port from 1 to 65535)",
                "cfg.yaml: pools.web.backends[2]: 5 (expected: host:port, or a map with address, name, weight,"
                        + " maxConnections)",
                "cfg.yaml: pools.web.backends[3].address: missing (expected: host:port, e.g. 127.0.0.1:8080)",
                "cfg.yaml: pools.web.backends[4].address: \"[::1]9001\" (expected: [address]:port for an IPv6"
                        + " address, e.g. [::1]:8080)",
                "cfg.yaml: pools.web.backends[5]: empty (expected: host:port, or a map with address, name, weight,"
                        + " maxConnections)");
    }

    @Test
    void backendWeightMustBeAnIntegerInRange() {
        assertThat(problemsOf(withPool("""
                {backends: [{address: 10.0.0.1:1, weight: -3}, {address: 10.0.0.1:2, weight: 1.5},
                            {address: 10.0.0.1:3, weight: 10001}, {address: 10.0.0.1:4, weight: "3"}]}"""))).containsExactly(
                "cfg.yaml: pools.web.backends[0].weight: -3 (expected: an integer from 1 to 10000)",
                "cfg.yaml: pools.web.backends[1].weight: 1.5 (expected: an integer from 1 to 10000)",
                "cfg.yaml: pools.web.backends[2].weight: 10001 (expected: an integer from 1 to 10000)",
                "cfg.yaml: pools.web.backends[3].weight: \"3\" (expected: an integer from 1 to 10000)");
    }

    @Test
    void negativeConnectionLimitsAreReported() {
        assertThat(problemsOf(withPool(
                "{maxConnectionsPerBackend: -1, backends: [{address: 10.0.0.1:1, maxConnections: -2}]}")))
                .containsExactly(
                        "cfg.yaml: pools.web.maxConnectionsPerBackend: -1 (expected: an integer >= 0)",
                        "cfg.yaml: pools.web.backends[0].maxConnections: -2 (expected: an integer >= 0)");
    }

    @Test
    void backendNamesMustBeValidAndUniqueInThePool() {
        assertThat(problemsOf(withPool("""
                {backends: [{address: 10.0.0.1:1, name: a}, {address: 10.0.0.1:2, name: a},
                            {address: 10.0.0.1:3, name: "b c"}, {address: 10.0.0.1:4, name: 7},
                            10.0.0.1:1, {address: 10.0.0.1:5, name: "10.0.0.1:1"}]}"""))).containsExactly(
                "cfg.yaml: pools.web.backends[1].name: \"a\" is already used by backends[0]"
                        + " (expected: a name unique in the pool)",
                "cfg.yaml: pools.web.backends[2].name: \"b c\" is not a valid backend name"
                        + " (expected: a name of letters, digits and _ . : -, starting with a letter or digit)",
                "cfg.yaml: pools.web.backends[3].name: 7"
                        + " (expected: a name of letters, digits and _ . : -, starting with a letter or digit)",
                "cfg.yaml: pools.web.backends[5].name: \"10.0.0.1:1\" is already used by backends[4]"
                        + " (expected: a name unique in the pool)");
    }

    @Test
    void twoUnnamedBackendsWithTheSameAddressClashOnTheirDefaultName() {
        assertThat(problemsOf(withPool("{backends: [127.0.0.1:9001, {address: 127.0.0.1:9001, weight: 2}]}")))
                .containsExactly("cfg.yaml: pools.web.backends[1]: name \"127.0.0.1:9001\" (its address) is already"
                        + " used by backends[0] (expected: a name unique in the pool)");
    }

    // ---- policies ----

    @Test
    void anUnknownPolicyTypeListsTheKnownOnes() {
        assertThat(problemsOf(withPool("{policy: {type: magic}, backends: [127.0.0.1:9001]}"))).containsExactly(
                "cfg.yaml: pools.web.policy.type: \"magic\" (expected one of: " + POLICY_TYPES + ")");
        assertThat(problemsOf(withPool("{policy: magic, backends: [127.0.0.1:9001]}"))).containsExactly(
                "cfg.yaml: pools.web.policy: \"magic\" (expected one of: " + POLICY_TYPES + ")");
    }

    @Test
    void aPolicyMapWithoutATypeIsReported() {
        assertThat(problemsOf(withPool("{policy: {}, backends: [127.0.0.1:9001]}"))).containsExactly(
                "cfg.yaml: pools.web.policy.type: missing (expected one of: " + POLICY_TYPES + ")");
        assertThat(problemsOf(withPool("{policy: [round-robin], backends: [127.0.0.1:9001]}"))).containsExactly(
                "cfg.yaml: pools.web.policy: a list (expected: a policy type, or a map with type and the policy's"
                        + " parameters)");
    }

    @Test
    void theFactorysProblemsAreReportedAtTheParameterTheyName() {
        assertThat(problemsOf(withPool("{policy: {type: round-robin, foo: 1, bar: [x]}, backends: [127.0.0.1:9001]}")))
                .containsExactly(
                        "cfg.yaml: pools.web.policy.bar: unknown parameter for policy round-robin (it takes none)",
                        "cfg.yaml: pools.web.policy.foo: unknown parameter for policy round-robin (it takes none)");
    }

    @Test
    void anEmptyPolicyParameterIsReported() {
        assertThat(problemsOf(withPool("{policy: {type: least-connections, slowStart: }, backends: [127.0.0.1:9001]}")))
                .containsExactly("cfg.yaml: pools.web.policy.slowStart: empty (expected: a value)");
    }
}
