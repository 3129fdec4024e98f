package dev.fulcrum.proxy.config;

import static dev.fulcrum.proxy.config.ConfigTesting.MINIMAL;
import static dev.fulcrum.proxy.config.ConfigTesting.parse;
import static dev.fulcrum.proxy.config.ConfigTesting.resource;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.proxy.config.ListenerConfig.FlowKey;
import dev.fulcrum.proxy.config.ListenerConfig.ProxyProtocol;
import dev.fulcrum.proxy.config.ListenerConfig.WaterMarks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The normalised form {@code fulcrum check-config} prints, and that it reads back as the same configuration. */
class ConfigWriterTest {

    @TempDir
    Path dir;

    @Test
    void aFullFileRoundTripsThroughTheWriter() throws Exception {
        FulcrumConfig config = parse(resource("full.yaml"));

        String yaml = ConfigWriter.toYaml(config);

        assertThat(parse(yaml)).isEqualTo(config);
        assertThat(ConfigWriter.toYaml(parse(yaml))).as("the normal form is a fixed point").isEqualTo(yaml);
    }

    @Test
    void aLoadedFileRoundTripsButForItsSource() throws Exception {
        Path file = dir.resolve("full.yaml");
        Files.writeString(file, resource("full.yaml"));
        FulcrumConfig loaded = ConfigLoader.load(file);

        FulcrumConfig reread = parse(ConfigWriter.toYaml(loaded));

        assertThat(reread.source()).isNull();
        assertThat(reread).usingRecursiveComparison().ignoringFields("source").isEqualTo(loaded);
    }

    @Test
    void aMinimalFileIsWrittenWithEveryDefaultFilledIn() throws Exception {
        assertThat(ConfigWriter.toYaml(parse(MINIMAL))).isEqualTo("""
                runtime:
                  transport: auto
                  eventLoops: 0
                  drainTimeout: 30s
                  watchConfig: true
                admin:
                  address: 127.0.0.1:9901
                telemetry:
                  tick: 250ms
                  enabled: true
                  reservoirSize: 128
                  emaDecay: 0.9
                  stream:
                    maxPendingBytes: 4MiB
                    maxUnwritableTicks: 40
                listeners:
                  web:
                    bind: 127.0.0.1:8080
                    pool: web
                    key: client-address
                    maxConnections: 20000
                    connectTimeout: 2s
                    connectAttempts: 3
                    idleTimeout: 5m
                    writeBuffer:
                      low: 32KiB
                      high: 64KiB
                    proxyProtocol: off
                    proxyProtocolTimeout: 3s
                    sniTimeout: 3s
                pools:
                  web:
                    policy:
                      type: round-robin
                    backends:
                      - name: 127.0.0.1:9001
                        address: 127.0.0.1:9001
                        weight: 1
                        maxConnections: 0
                    removedBackendDrainTimeout: 5m
                """);
    }

    @Test
    void durationsAndSizesAreWrittenInTheirLargestExactUnit() throws Exception {
        FulcrumConfig config = parse("runtime: {drainTimeout: 90s}\ntelemetry: {tick: 1.5s}\n"
                + MINIMAL.replace("pool: web\n", "pool: web\n    idleTimeout: 120m\n"
                        + "    writeBuffer: {low: 1000, high: 2097152}\n"));

        String yaml = ConfigWriter.toYaml(config);

        assertThat(yaml).contains("  drainTimeout: 90s\n", "  tick: 1500ms\n", "    idleTimeout: 2h\n",
                "      low: 1KB\n", "      high: 2MiB\n");
        assertThat(parse(yaml)).isEqualTo(config);
    }

    @Test
    void adminOffIsWrittenAsOff() throws Exception {
        FulcrumConfig config = parse("admin: {address: off}\n" + MINIMAL);

        String yaml = ConfigWriter.toYaml(config);

        assertThat(yaml).contains("admin:\n  address: off\n");
        assertThat(parse(yaml).admin()).isEqualTo(AdminConfig.OFF);
    }

    @Test
    void everyProxyProtocolValueIsWrittenAndReadBack() throws Exception {
        for (ProxyProtocol proxyProtocol : ProxyProtocol.values()) {
            FulcrumConfig config = parse(MINIMAL.replace("pool: web\n", "pool: web\n    proxyProtocol: "
                    + proxyProtocol.configName() + "\n    proxyProtocolTimeout: 1500ms\n"));

            String yaml = ConfigWriter.toYaml(config);

            assertThat(yaml).contains("    proxyProtocol: " + proxyProtocol.configName() + "\n",
                    "    proxyProtocolTimeout: 1500ms\n");
            assertThat(parse(yaml)).isEqualTo(config);
            assertThat(parse(yaml).listeners().get("web").proxyProtocol()).isEqualTo(proxyProtocol);
        }
    }

    @Test
    void namesThatYamlWouldReadAsNumbersOrBooleansAreQuoted() throws Exception {
        List<String> names = List.of("1_000", "0x10", "010", "1e3", "1.5", "on", "null", "true", "y", "1:30", "a", "b.c");
        List<Backend> backends = names.stream().map(n -> new Backend(n, "10.0.0.1", 9000 + n.length(), 1, 0)).toList();
        FulcrumConfig config = new FulcrumConfig(null, RuntimeConfig.DEFAULT, AdminConfig.DEFAULT,
                Map.of("0x10", listener("0x10", new HostPort("::", 8080), "on")),
                Map.of("on", new PoolConfig("on", PolicyConfig.of("round-robin"), backends)),
                TelemetryConfig.DEFAULT);

        String yaml = ConfigWriter.toYaml(config);

        assertThat(yaml).contains("  \"0x10\":\n", "  \"on\":\n", "    bind: \"[::]:8080\"\n", "    pool: \"on\"\n",
                "      - name: \"1_000\"\n", "      - name: a\n", "      - name: b.c\n");
        assertThat(parse(yaml)).isEqualTo(config);
    }

    @Test
    void policyParametersAreWrittenSoThatYamlReadsThemBack() throws Exception {
        Map<String, Object> parameters = Map.of(
                "count", 3,
                "ratio", 0.25,
                "enabled", true,
                "label", "1_000",
                "plain", "fast",
                "list", List.of(1, "a, b", false),
                "nested", Map.of("k", List.of(Map.of("deep", "x: y"))));
        FulcrumConfig config = new FulcrumConfig(null, RuntimeConfig.DEFAULT, AdminConfig.DEFAULT,
                Map.of("web", listener("web", new HostPort("127.0.0.1", 8080), "web")),
                Map.of("web", new PoolConfig("web", new PolicyConfig("round-robin", parameters),
                        List.of(new Backend("a", "127.0.0.1", 9001, 1, 0)))),
                TelemetryConfig.DEFAULT);

        String yaml = ConfigWriter.toYaml(config);

        assertThat(yaml).contains("""
                    policy:
                      type: round-robin
                      count: 3
                      enabled: true
                      label: "1_000"
                      list: [1, "a, b", false]
                      nested: {"k": [{"deep": "x: y"}]}
                      plain: fast
                      ratio: 0.25
                """);
        JsonNode policy = new YAMLMapper().readTree(yaml).at("/pools/web/policy");
        Map<String, Object> read = new YAMLMapper().convertValue(policy, new TypeReference<Map<String, Object>>() { });
        assertThat(read).containsEntry("type", "round-robin").hasSize(parameters.size() + 1);
        parameters.forEach((k, v) -> assertThat(read.get(k)).as(k).isEqualTo(v));
    }

    private static ListenerConfig listener(String name, HostPort bind, String pool) {
        return new ListenerConfig(name, bind, pool, FlowKey.CLIENT_ADDRESS, 10, Duration.ofSeconds(1), 1,
                Duration.ZERO, WaterMarks.DEFAULT);
    }

    @Test
    void healthChecksAreWrittenWithEveryDefaultAndReadBack() throws Exception {
        FulcrumConfig config = parse("listeners: {web: {bind: 127.0.0.1:8080, pool: web}}\n"
                + "pools:\n  web: {backends: [127.0.0.1:9001], health: {type: http, expectStatus: [204, 3XX]}}\n"
                + "  tcp: {backends: [127.0.0.1:9002], health: {type: tcp, rise: 1}}\n");

        String yaml = ConfigWriter.toYaml(config);

        assertThat(yaml).contains("""
                    health:
                      type: http
                      path: /
                      expectStatus: [204, "3xx"]
                      interval: 2s
                      timeout: 1s
                      rise: 2
                      fall: 3
                """).contains("""
                    health:
                      type: tcp
                      interval: 2s
                      timeout: 1s
                      rise: 1
                      fall: 3
                """);
        assertThat(parse(yaml)).isEqualTo(config);
    }
}
