package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A change of the configuration file reloads it: an editor's atomic rename, and a burst of writes as one reload. */
class ConfigWatchTest {

    @TempDir
    Path dir;

    private static String config(int port, int weight, boolean watch) {
        return """
                runtime: {watchConfig: %s}
                admin: {address: off}
                listeners:
                  web: {bind: 127.0.0.1:0, pool: web}
                pools:
                  web:
                    backends: [{address: 127.0.0.1:%d, name: a, weight: %d}]
                """.formatted(watch, port, weight);
    }

    @Test
    void aFileRenamedOverTheConfigIsReloadedOnce() throws Exception {
        try (TestServer a = TestServer.echo()) {
            Path file = Files.writeString(dir.resolve("fulcrum.yaml"), config(a.port(), 1, true));
            try (FulcrumProxy proxy = FulcrumProxy.start(ConfigLoader.load(file))) {
                Path temp = Files.writeString(dir.resolve(".fulcrum.yaml.swp"), config(a.port(), 7, true));
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

                TestWaits.until(() -> proxy.lastReload() != null, "the renamed file reloaded");
                assertThat(proxy.backend("web", "a").weight()).isEqualTo(7);
                assertThat(proxy.lastReload().changes().backendsReweighted()).containsExactly("web/a: weight 1 -> 7");

                // A burst of writes (a save in pieces) within the quiet period is one reload; ten
                // reloads would need every gap between two writes to exceed the quiet period.
                for (int w = 11; w <= 20; w++) {
                    Files.writeString(file, config(a.port(), w, true));
                }
                TestWaits.until(() -> proxy.backend("web", "a").weight() == 20, "the last write applied");
                Thread.sleep(3 * ConfigWatcher.DEBOUNCE_MILLIS);
                double afterBurst = okReloads(proxy);
                assertThat(afterBurst - 1).as("reloads for a burst of ten writes").isBetween(1.0, 5.0);

                // The same bytes again (a touch, an editor saving without change) reload nothing.
                Files.writeString(file, config(a.port(), 20, true));
                Thread.sleep(3 * ConfigWatcher.DEBOUNCE_MILLIS);
                assertThat(okReloads(proxy)).isEqualTo(afterBurst);
            }
        }
    }

    private static double okReloads(FulcrumProxy proxy) {
        return proxy.registry().get("fulcrum.config.reloads").tag("result", "ok").counter().count();
    }

    @Test
    void anInvalidFileIsRefusedAndTheWatchCanBeTurnedOff() throws Exception {
        try (TestServer a = TestServer.echo()) {
            Path file = Files.writeString(dir.resolve("fulcrum.yaml"), config(a.port(), 1, true));
            try (FulcrumProxy proxy = FulcrumProxy.start(ConfigLoader.load(file))) {
                Files.writeString(file, "pools: [not, a, map]\n");
                TestWaits.until(() -> proxy.lastReload() != null, "a reload tried");
                assertThat(proxy.lastReload().result()).isEqualTo("refused");
                assertThat(proxy.lastReload().errors()).isNotEmpty();
                assertThat(proxy.backend("web", "a").weight()).isEqualTo(1);

                Files.writeString(file, config(a.port(), 2, false));
                TestWaits.until(() -> proxy.backend("web", "a").weight() == 2, "the valid file applied");
                Files.writeString(file, config(a.port(), 3, false));
                Thread.sleep(4 * ConfigWatcher.DEBOUNCE_MILLIS);
                assertThat(proxy.backend("web", "a").weight()).as("watchConfig: false stops the watch").isEqualTo(2);
                assertThat(proxy.reloadFromFile().isOk()).isTrue();
                assertThat(proxy.backend("web", "a").weight()).isEqualTo(3);
            }
        }
    }
}
