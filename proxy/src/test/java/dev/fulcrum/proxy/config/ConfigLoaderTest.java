package dev.fulcrum.proxy.config;

import static dev.fulcrum.proxy.config.ConfigTesting.MINIMAL;
import static dev.fulcrum.proxy.config.ConfigTesting.parse;
import static dev.fulcrum.proxy.config.ConfigTesting.resource;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.proxy.config.ListenerConfig.FlowKey;
import dev.fulcrum.proxy.config.ListenerConfig.ProxyProtocol;
import dev.fulcrum.proxy.config.ListenerConfig.WaterMarks;
import dev.fulcrum.proxy.config.RuntimeConfig.Transport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are valid, and what they load as. */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void minimalFileLoadsWithEveryDefaultFilledIn() throws Exception {
        FulcrumConfig config = parse(MINIMAL);

        assertThat(config.source()).isNull();
        assertThat(config.runtime()).isEqualTo(RuntimeConfig.DEFAULT);
        assertThat(config.runtime()).isEqualTo(new RuntimeConfig(Transport.AUTO, 0, Duration.ofSeconds(30)));
        assertThat(config.admin()).isEqualTo(new AdminConfig(true, new HostPort("127.0.0.1", 9901)));
        assertThat(config.telemetry()).isEqualTo(new TelemetryConfig(Duration.ofMillis(250)));
        assertThat(config.listeners()).containsOnlyKeys("web");
        assertThat(config.listeners().get("web")).isEqualTo(new ListenerConfig("web",
                new HostPort("127.0.0.1", 8080), "web", FlowKey.CLIENT_ADDRESS, 20_000, Duration.ofSeconds(2), 3,
                Duration.ofMinutes(5), new WaterMarks(32 * 1024, 64 * 1024), ProxyProtocol.OFF, Duration.ofSeconds(3)));
        assertThat(config.pools()).containsOnlyKeys("web");
        assertThat(config.pools().get("web")).isEqualTo(new PoolConfig("web", PolicyConfig.of("round-robin"),
                List.of(new Backend("127.0.0.1:9001", "127.0.0.1", 9001, 1, 0))));
    }

    @Test
    void fullFileLoadsEveryFieldAsWritten() throws Exception {
        FulcrumConfig config = parse(resource("full.yaml"));

        assertThat(config.runtime()).isEqualTo(new RuntimeConfig(Transport.NIO, 4, Duration.ofMillis(1500)));
        assertThat(config.admin()).isEqualTo(new AdminConfig(true, new HostPort("0.0.0.0", 9902)));
        assertThat(config.telemetry().tick()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.listeners().keySet()).containsExactly("web", "api");
        assertThat(config.listeners().get("web")).isEqualTo(new ListenerConfig("web",
                new HostPort("127.0.0.1", 8080), "web", FlowKey.CLIENT_ADDRESS_PORT, 500, Duration.ofMillis(750), 2,
                Duration.ZERO, new WaterMarks(16 * 1024, 1024 * 1024), ProxyProtocol.V2, Duration.ofMillis(500)));
        assertThat(config.listeners().get("api")).isEqualTo(new ListenerConfig("api",
                new HostPort("::1", 8443), "api", FlowKey.CLIENT_ADDRESS, 1, Duration.ofMinutes(5), 16,
                Duration.ofHours(1), new WaterMarks(1000, 32_000), ProxyProtocol.ANY, Duration.ofMinutes(5)));
        assertThat(config.pools().keySet()).containsExactly("web", "api");
        assertThat(config.pools().get("web")).isEqualTo(new PoolConfig("web", PolicyConfig.of("least-connections"),
                List.of(new Backend("a", "10.0.0.1", 9001, 3, 50),
                        new Backend("10.0.0.2:9001", "10.0.0.2", 9001, 1, 100),
                        new Backend("backend.internal:80", "backend.internal", 80, 10_000, 100)),
                HealthCheckConfig.http("/healthz?full=1", List.of("200", "3xx", "204"), Duration.ofMillis(500),
                        Duration.ofMillis(200), 1, 5)));
        assertThat(config.pools().get("api")).isEqualTo(new PoolConfig("api", PolicyConfig.of("round-robin"),
                List.of(new Backend("v6-backend", "fd00::2", 9443, 1, 0)),
                HealthCheckConfig.tcp(Duration.ofSeconds(10), Duration.ofSeconds(3), 4, 2)));
        assertThat(config.listenersOf("api")).containsExactly("api");
    }

    @Test
    void loadNamesTheFileAsGivenAndRecordsItAsTheSource() throws Exception {
        Path file = dir.resolve("fulcrum.yaml");
        Files.writeString(file, MINIMAL);

        FulcrumConfig config = ConfigLoader.load(file);

        assertThat(config.source()).isEqualTo(file);
        assertThat(config.listeners()).containsOnlyKeys("web");
    }

    @Test
    void loadIgnoresAByteOrderMark() throws Exception {
        Path file = dir.resolve("bom.yaml");
        Files.write(file, ("\uFEFF" + MINIMAL).getBytes(StandardCharsets.UTF_8));

        assertThat(ConfigLoader.load(file).pools()).containsOnlyKeys("web");
    }

    @Test
    void emptySectionsMeanAllDefaults() throws Exception {
        FulcrumConfig config = parse("runtime:\nadmin: {}\ntelemetry:\n" + MINIMAL);

        assertThat(config.runtime()).isEqualTo(RuntimeConfig.DEFAULT);
        assertThat(config.admin()).isEqualTo(AdminConfig.DEFAULT);
        assertThat(config.telemetry()).isEqualTo(TelemetryConfig.DEFAULT);
    }

    @Test
    void adminAddressOffDisablesTheAdminApi() throws Exception {
        assertThat(parse("admin: {address: off}\n" + MINIMAL).admin()).isEqualTo(AdminConfig.OFF);
        assertThat(parse("admin: {address: \"off\"}\n" + MINIMAL).admin().enabled()).isFalse();
    }

    @Test
    void adminAddressMayAskForAnyFreePort() throws Exception {
        assertThat(parse("admin: {address: 127.0.0.1:0}\n" + MINIMAL).admin())
                .isEqualTo(new AdminConfig(true, new HostPort("127.0.0.1", 0)));
    }

    @Test
    void aPlainStringPolicyIsItsType() throws Exception {
        FulcrumConfig config = parse(MINIMAL.replace("    backends:", "    policy: least-connections\n    backends:"));

        assertThat(config.pools().get("web").policy()).isEqualTo(PolicyConfig.of("least-connections"));
    }

    @Test
    void backendsTakeThePoolsMaxConnectionsUnlessTheyHaveTheirOwn() throws Exception {
        FulcrumConfig config = parse("""
                listeners: {web: {bind: 127.0.0.1:8080, pool: web}}
                pools:
                  web:
                    maxConnectionsPerBackend: 7
                    backends:
                      - 127.0.0.1:9001
                      - {address: 127.0.0.1:9002, maxConnections: 0}
                      - {address: 127.0.0.1:9003, maxConnections: 9}
                """);

        assertThat(config.pools().get("web").backends()).extracting(Backend::maxConnections).containsExactly(7, 0, 9);
    }

    @Test
    void durationsTakeFractionsAndEveryUnit() throws Exception {
        FulcrumConfig config = parse(MINIMAL.replace("pool: web\n", """
                pool: web
                    connectTimeout: 1.5s
                    idleTimeout: 2h
                """) + "runtime: {drainTimeout: 1m}\ntelemetry: {tick: 10ms}\n");

        ListenerConfig web = config.listeners().get("web");
        assertThat(web.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(web.idleTimeout()).isEqualTo(Duration.ofHours(2));
        assertThat(config.runtime().drainTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.telemetry().tick()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void aBareZeroIsAcceptedAsNoTimeAtAll() throws Exception {
        FulcrumConfig config = parse("runtime: {drainTimeout: 0}\n"
                + MINIMAL.replace("pool: web\n", "pool: web\n    idleTimeout: 0\n"));

        assertThat(config.runtime().drainTimeout()).isZero();
        assertThat(config.listeners().get("web").idleTimeout()).isZero();
    }

    @Test
    void sizesTakeBytesAndBinaryAndDecimalUnits() throws Exception {
        FulcrumConfig config = parse(MINIMAL.replace("pool: web\n", "pool: web\n    writeBuffer: {low: 1000, high: 1.5MiB}\n"));

        assertThat(config.listeners().get("web").writeBuffer()).isEqualTo(new WaterMarks(1000, 1536 * 1024));
        assertThat(parse(MINIMAL.replace("pool: web\n", "pool: web\n    writeBuffer: {low: 2KB, high: 1MB}\n"))
                .listeners().get("web").writeBuffer()).isEqualTo(new WaterMarks(2000, 1_000_000));
    }

    @Test
    void listenersOnPortZeroMayShareAHost() throws Exception {
        FulcrumConfig config = parse("""
                listeners:
                  a: {bind: 127.0.0.1:0, pool: web}
                  b: {bind: 127.0.0.1:0, pool: web}
                pools: {web: {backends: [127.0.0.1:9001]}}
                """);

        assertThat(config.listeners()).containsOnlyKeys("a", "b");
        assertThat(config.listenersOf("web")).containsExactly("a", "b");
    }

    @Test
    void namesMayUseDotsColonsDashesAndUnderscores() throws Exception {
        FulcrumConfig config = parse("""
                listeners:
                  edge.v2:web-1_a: {bind: "[::]:8080", pool: "pool:1"}
                pools:
                  "pool:1": {backends: [{address: "[::1]:9001", name: b.1}]}
                """);

        assertThat(config.listeners().get("edge.v2:web-1_a").bind()).isEqualTo(new HostPort("::", 8080));
        assertThat(config.pools().get("pool:1").backends()).containsExactly(new Backend("b.1", "::1", 9001, 1, 0));
    }
}
