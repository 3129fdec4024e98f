package dev.fulcrum.learned;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.learned.hash.CompiledLearnedHash;
import dev.fulcrum.learned.hash.LearnedHashPolicy;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelHotSwapTest {

    @TempDir
    Path dir;

    private final ModelRegistry registry = new ModelRegistry();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        registry.close();
        ModelRegistry.global().close();
    }

    private ModelSlot<CompiledLearnedHash> slot(Path file) {
        registry.bindMetrics(meters);
        return registry.register("clients", file, ModelKind.LEARNED_HASH, CompiledLearnedHash::compile);
    }

    @Test
    void theWatcherSwapsInAFileRenamedOverTheModel() throws Exception {
        Path file = dir.resolve("clients.onnx");
        Fixtures.renameOver("learned-hash.onnx", file);
        ModelSlot<CompiledLearnedHash> slot = slot(file);
        assertThat(slot.compiled().version()).isEqualTo("v1");
        CompiledLearnedHash first = slot.compiled();
        List<String> swaps = new java.util.concurrent.CopyOnWriteArrayList<>();
        slot.onSwap((before, after) -> swaps.add(before.version() + "->" + after.version()));

        Fixtures.renameOver("learned-hash-v2.onnx", file);

        awaitTrue(() -> "v2".equals(slot.compiled().version()) && !swaps.isEmpty()); // listeners run after the swap
        assertThat(slot.compiled()).isNotSameAs(first);
        assertThat(swaps).containsExactly("v1->v2");
        assertThat(slot.status()).containsEntry("version", "v2").containsEntry("serving", true).containsEntry("loadFailures", 0L);
        assertThat(infoVersions()).containsExactly("v2");
    }

    @Test
    void aBrokenFileIsRefusedAndThePreviousModelKeepsServing() throws Exception {
        Path file = dir.resolve("clients.onnx");
        Fixtures.renameOver("learned-hash.onnx", file);
        ModelSlot<CompiledLearnedHash> slot = slot(file);
        CompiledLearnedHash serving = slot.compiled();

        for (String broken : List.of("not-onnx.onnx", "wrong-kind.onnx", "nan.onnx")) {
            long failures = slot.failures();
            Fixtures.renameOver(broken, file);
            awaitTrue(() -> slot.failures() > failures);
            assertThat(slot.compiled()).isSameAs(serving);
            assertThat((String) slot.status().get("lastError")).startsWith(file + ": ");
        }
        assertThat(meters.get("fulcrum.model.load.failures").tag("name", "clients").counter().count()).isEqualTo(3.0);
        assertThat(infoVersions()).containsExactly("v1");

        Fixtures.renameOver("learned-hash-v2.onnx", file);
        awaitTrue(() -> "v2".equals(slot.compiled().version()));
        assertThat(slot.status().get("lastError")).isNull();
    }

    @Test
    void theAdminReloadSwapsRefusesOrReportsUnchanged() throws Exception {
        Path file = dir.resolve("clients.onnx");
        Fixtures.renameOver("learned-hash.onnx", file);
        slot(file);
        assertThat(registry.reload("clients").result()).isEqualTo("unchanged");
        assertThat(registry.reload("no-such-model")).isNull();

        // Written in place (not renamed), so only an explicit reload is sure to see it settled.
        Files.copy(Fixtures.model("wrong-schema.onnx"), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ModelSlot.Outcome refused = registry.reload("clients");
        if (!"refused".equals(refused.result())) { // the watcher got there first: it must have refused too
            assertThat(registry.slot("clients").failures()).isPositive();
        } else {
            assertThat(refused.error()).isEqualTo(file + ": fulcrum.schema: 99 (expected: 1)");
            assertThat(refused.version()).isEqualTo("v1");
        }
        Files.copy(Fixtures.model("learned-hash-v2.onnx"), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        awaitTrue(() -> "v2".equals(registry.reload("clients").version()));
        assertThat(registry.describe()).singleElement().satisfies(status -> {
            assertThat(status).containsEntry("name", "clients").containsEntry("kind", "learned-hash").containsEntry("version", "v2");
            assertThat((Integer) status.get("gridPoints")).isGreaterThan(4096);
        });
    }

    @Test
    void picksNeverFailWhileModelsSwapUnderThem() throws Exception {
        Path file = dir.resolve("clients.onnx");
        Fixtures.renameOver("not-onnx.onnx", file); // no model at first: the fallback serves
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            backends.add(new Backend("b" + i, "127.0.0.1", 9000 + i, 1, 0));
        }
        BalancingPolicy policy = Policies.create(BackendSet.of(backends),
                new PolicyConfig("learned-hash", Map.of("model", file.toString(), "name", "swap-test")), null);
        assertThat(policy).isInstanceOf(LearnedHashPolicy.class);
        ModelSlot<CompiledLearnedHash> slot = ((LearnedHashPolicy) policy).slot();
        assertThat(slot.compiled()).isNull();
        assertThat(policy.pick(new Flow(1, 1.5, null))).isNotNull();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong picks = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread picker = new Thread(() -> {
            java.util.SplittableRandom random = new java.util.SplittableRandom(3);
            try {
                while (!stop.get()) {
                    double key = Math.exp(random.nextGaussian());
                    BackendState picked = policy.pick(new Flow(random.nextLong(), key, null));
                    if (picked == null) {
                        throw new AssertionError("no backend for key " + key);
                    }
                    picks.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        picker.start();
        String[] sequence = {"learned-hash.onnx", "nan.onnx", "learned-hash-v2.onnx", "wrong-names.onnx", "learned-hash.onnx"};
        for (String fixture : sequence) {
            long before = picks.get();
            Fixtures.renameOver(fixture, file);
            assertThat(slot.reload().result()).isIn("swapped", "refused", "unchanged");
            awaitTrue(() -> picks.get() > before + 1000);
        }
        stop.set(true);
        picker.join();
        assertThat(failure.get()).isNull();
        assertThat(slot.compiled().version()).isEqualTo("v1");
        assertThat(slot.failures()).isGreaterThanOrEqualTo(3); // the first file, nan, wrong-names
    }

    private List<String> infoVersions() {
        List<String> versions = new ArrayList<>();
        for (Meter meter : meters.getMeters()) {
            if (meter.getId().getName().equals("fulcrum.model.info")) {
                versions.add(meter.getId().getTag("version"));
            }
        }
        return versions;
    }

    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(20);
        }
    }
}
