package dev.fulcrum.proxy.config;

import static dev.fulcrum.proxy.config.ConfigTesting.MINIMAL;
import static dev.fulcrum.proxy.config.ConfigTesting.parse;
import static dev.fulcrum.proxy.config.ConfigTesting.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys of hot reload and the admin token: runtime.watchConfig, pools.*.removedBackendDrainTimeout, admin.tokenFile. */
class ReloadKeysTest {

    @TempDir
    Path dir;

    @Test
    void defaultsWatchTheFileGiveRemovedBackendsFiveMinutesAndNoToken() throws Exception {
        FulcrumConfig config = parse(MINIMAL);
        assertThat(config.runtime().watchConfig()).isTrue();
        assertThat(config.pools().get("web").removedBackendDrainTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.admin().tokenFile()).isNull();
        assertThat(config.admin().token()).as("unless FULCRUM_ADMIN_TOKEN is set for the tests").isEqualTo(
                System.getenv("FULCRUM_ADMIN_TOKEN") == null ? null : config.admin().token());
        assertThat(config.admin().address().host()).as("loopback by default").isEqualTo("127.0.0.1");
    }

    @Test
    void theKeysAreReadAndWrittenBack() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "  abc-123 \n");
        FulcrumConfig config = parse("runtime: {watchConfig: false}\nadmin: {tokenFile: " + token + "}\n"
                + MINIMAL.replace("    backends:", "    removedBackendDrainTimeout: 0s\n    backends:"));

        assertThat(config.runtime().watchConfig()).isFalse();
        assertThat(config.pools().get("web").removedBackendDrainTimeout()).isZero();
        assertThat(config.admin().token().matches("abc-123")).isTrue();
        assertThat(config.admin().token().matches("abc-12")).isFalse();
        assertThat(config.admin().token().matches(null)).isFalse();
        assertThat(config.admin().token().toString()).doesNotContain("abc");
        String yaml = ConfigWriter.toYaml(config);
        assertThat(yaml).contains("watchConfig: false").contains("tokenFile: " + token)
                .contains("removedBackendDrainTimeout: 0s").doesNotContain("abc-123");
        assertThat(parse(yaml)).isEqualTo(config);
    }

    @Test
    void wrongValuesAreReportedWithWhatWasExpected() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        String yaml = "runtime: {watchConfig: sometimes}\nadmin: {tokenFile: " + empty + "}\n"
                + MINIMAL.replace("    backends:", "    removedBackendDrainTimeout: 25h\n    backends:");
        assertThat(problemsOf(yaml)).containsExactly(
                "cfg.yaml: runtime.watchConfig: \"sometimes\" (expected: true or false)",
                "cfg.yaml: admin.tokenFile: \"" + empty + "\" is empty (expected: the token on one line)",
                "cfg.yaml: pools.web.removedBackendDrainTimeout: \"25h\" (expected: a duration from 0 (close at once) to 24h)");
        assertThat(problemsOf("admin: {tokenFile: " + dir.resolve("missing") + "}\n" + MINIMAL)).containsExactly(
                "cfg.yaml: admin.tokenFile: \"" + dir.resolve("missing") + "\" does not exist (expected: a readable file holding the token)");
        assertThat(problemsOf("admin: {token: hunter2}\n" + MINIMAL)).singleElement().asString()
                .startsWith("cfg.yaml: admin.token: unknown field");
    }
}
