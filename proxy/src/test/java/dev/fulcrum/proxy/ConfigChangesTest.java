package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.cli.FulcrumCommand;
import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.config.FulcrumConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a reload reports as changed, what needs a restart, and the checksum operators can recompute. */
class ConfigChangesTest {

    @TempDir
    Path dir;

    private static final String BEFORE = """
            runtime: {transport: nio, eventLoops: 2}
            admin: {address: 127.0.0.1:9901}
            listeners:
              web: {bind: 127.0.0.1:8080, pool: web}
              old: {bind: 127.0.0.1:8081, pool: web}
            pools:
              web:
                policy: round-robin
                backends: [{address: 10.0.0.1:80, name: a}, {address: 10.0.0.2:80, name: b}, {address: 10.0.0.3:80, name: c}]
            """;

    private static final String AFTER = """
            # comments and spacing do not change the checksum
            runtime: {transport: nio, eventLoops: 4}
            admin: {address: 127.0.0.1:9902}
            listeners:
              web: {bind: 127.0.0.1:9080, pool: web}
              new: {bind: 127.0.0.1:8082, pool: api, idleTimeout: 1m}
            pools:
              web:
                policy: {type: maglev, tableSize: 251}
                backends: [{address: 10.0.0.1:80, name: a, weight: 3}, {address: 10.0.0.9:80, name: b}, {address: 10.0.0.3:80, name: c, maxConnections: 10}]
              api:
                backends: [10.0.1.1:80]
            """;

    @Test
    void everyKindOfChangeIsNamed() throws Exception {
        FulcrumConfig before = ConfigLoader.parse(BEFORE, "before.yaml");
        FulcrumConfig after = ConfigLoader.parse(AFTER, "after.yaml");

        ReloadResult.Changes changes = ConfigChanges.between(before, after);

        assertThat(changes.listenersAdded()).containsExactly("new (127.0.0.1:8082 -> pool api)");
        assertThat(changes.listenersRemoved()).containsExactly("old");
        assertThat(changes.listenersRebound()).containsExactly("web: 127.0.0.1:8080 -> 127.0.0.1:9080");
        assertThat(changes.poolsAdded()).containsExactly("api");
        assertThat(changes.policiesChanged()).containsExactly("web: round-robin -> maglev{tableSize=251}");
        assertThat(changes.backendsAdded()).containsExactly("web/b (10.0.0.9:80)", "api/10.0.1.1:80 (10.0.1.1:80)");
        assertThat(changes.backendsRemoved()).containsExactly("web/b (10.0.0.2:80)");
        assertThat(changes.backendsReweighted()).containsExactly("web/a: weight 1 -> 3");
        assertThat(changes.backendsChanged()).containsExactly("web/c: maxConnections 0 -> 10");
        assertThat(ConfigChanges.needsRestart(before, after)).containsExactly(
                "runtime.eventLoops: 2 -> 4", "admin.address: 127.0.0.1:9901 -> 127.0.0.1:9902");
        assertThat(ConfigChanges.between(before, before).isEmpty()).isTrue();
    }

    @Test
    void ejectionSlowStartAndProxyHeaderChangesAreNamed() throws Exception {
        FulcrumConfig before = ConfigLoader.parse(BEFORE, "before.yaml");
        FulcrumConfig after = ConfigLoader.parse(BEFORE.replace("policy: round-robin", """
                policy: round-robin
                    outlierDetection: {consecutiveFailures: 3, baseEjectionTime: 10s}
                    slowStart: {window: 20s}
                    sendProxyProtocol: v2"""), "after.yaml");

        assertThat(ConfigChanges.between(before, after).otherSettings()).containsExactly(
                "pools.web.outlierDetection: off -> {consecutiveFailures: 3, baseEjectionTime: 10s, maxEjectionTime: 5m, maxEjectionPercent: 10}",
                "pools.web.slowStart: off -> {window: 20s, aggression: 1.0, minWeightPercent: 10}",
                "pools.web.sendProxyProtocol: off -> v2");
        assertThat(ConfigChanges.between(after, before).otherSettings()).containsExactly(
                "pools.web.outlierDetection: {consecutiveFailures: 3, baseEjectionTime: 10s, maxEjectionTime: 5m, maxEjectionPercent: 10} -> off",
                "pools.web.slowStart: {window: 20s, aggression: 1.0, minWeightPercent: 10} -> off",
                "pools.web.sendProxyProtocol: v2 -> off");
    }

    @Test
    void theChecksumIsThatOfWhatCheckConfigPrints() throws Exception {
        Path file = Files.writeString(dir.resolve("f.yaml"), AFTER);
        StringWriter out = new StringWriter();
        assertThat(FulcrumCommand.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "check-config", file.toString()))
                .isZero();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out.toString().getBytes(StandardCharsets.UTF_8)));

        assertThat(ConfigChanges.checksum(ConfigLoader.load(file))).isEqualTo("sha256:" + sha);
        assertThat(ConfigChanges.checksum(ConfigLoader.parse(AFTER.replace("# comments", "#"), "x")))
                .isEqualTo(ConfigChanges.checksum(ConfigLoader.load(file)));
    }
}
