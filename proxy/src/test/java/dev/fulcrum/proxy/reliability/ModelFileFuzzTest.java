package dev.fulcrum.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.learned.ModelKind;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.learned.ModelSlot;
import dev.fulcrum.learned.hash.CompiledLearnedHash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated ONNX model files (from the committed fixtures of learned/, by {@link OnnxMutator}, fixed
 * seeds) through the real loader and hot-swap path ({@link ModelSlot#reload()}), for each model
 * kind: every file is either refused with an error that names it and says what was wrong, the
 * previous model serving on, or (a harmless mutation) passes every check and is swapped in. Never
 * a crash, a hang (each load is bounded), or an exception of the loader's own. The same path on a
 * running proxy under load: {@link ModelSwapUnderLoadTest}.
 */
class ModelFileFuzzTest {

    static final Path FIXTURES = Path.of("../learned/src/test/resources/models").toAbsolutePath().normalize();
    /** Mutants per small fixture (a few hundred bytes: a load takes milliseconds). */
    static final int PER_KIND = 700;
    /** Mutants of the trained learned hash (42 KB; its compile runs the model over a grid): fewer, to stay in the test timeout. */
    static final int TRAINED = 120;

    @TempDir
    Path dir;

    private final ModelRegistry registry = new ModelRegistry();
    private final ExecutorService loader = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "model-fuzz-loader");
        thread.setDaemon(true);
        return thread;
    });

    @AfterEach
    void close() {
        loader.shutdownNow();
        registry.close();
    }

    @Test
    void learnedHashMutantsAreRefusedOneByOneOrSwappedInWhole() throws Exception {
        fuzz("learned-hash.onnx", ModelKind.LEARNED_HASH, 11, TRAINED, CompiledLearnedHash::compile);
    }

    @Test
    void smallLearnedHashMutantsReachTheGoldenRunAndTheCompiler() throws Exception {
        fuzz("identity-hash.onnx", ModelKind.LEARNED_HASH, 12, PER_KIND, CompiledLearnedHash::compile);
    }

    @Test
    void qNetworkMutantsAreRefusedOneByOneOrSwappedInWhole() throws Exception {
        fuzz("q-network.onnx", ModelKind.Q_NETWORK, 13, PER_KIND, model -> model);
    }

    @Test
    void loadEstimatorMutantsAreRefusedOneByOneOrSwappedInWhole() throws Exception {
        fuzz("load-estimator.onnx", ModelKind.LOAD_ESTIMATOR, 14, PER_KIND, model -> model);
    }

    /** The fuzz's first find: a NUL byte in a metadata key made ONNX Runtime hand back a null entry, and the load an NPE. */
    @Test
    void aMetadataKeyWithANulByteIsRefusedByName() throws Exception {
        byte[] good = Files.readAllBytes(FIXTURES.resolve("identity-hash.onnx"));
        Path file = dir.resolve("nul.onnx");
        Files.write(file, good);
        ModelSlot<CompiledLearnedHash> slot = registry.register("nul-key", file, ModelKind.LEARNED_HASH, CompiledLearnedHash::compile);
        CompiledLearnedHash serving = slot.compiled();
        for (byte[] key : new byte[][] {"\0ulcrum.version".getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[0]}) {
            renameOver(OnnxMutator.renameMetadataKey(good, "fulcrum.version", key), file);
            ModelSlot.Outcome outcome = slot.reload();
            assertThat(outcome.result()).isEqualTo("refused");
            assertThat(outcome.error()).startsWith(file + ": metadata entry with no key (value: ")
                    .endsWith("(expected: every entry a key and a value)");
            assertThat(slot.compiled()).isSameAs(serving);
        }
    }

    private <T> void fuzz(String fixture, ModelKind kind, long seed, int mutants, ModelSlot.Compiler<T> compiler) throws Exception {
        byte[] good = Files.readAllBytes(FIXTURES.resolve(fixture));
        Path file = dir.resolve("fuzzed.onnx");
        Files.write(file, good);
        ModelSlot<T> slot = registry.register("fuzz-" + kind.label() + "-" + seed, file, kind, compiler);
        assertThat(slot.compiled()).as("the fixture itself loads").isNotNull();
        OnnxMutator mutator = new OnnxMutator(new SplittableRandom(seed));
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        TreeMap<String, String> examples = new TreeMap<>();
        long rssBefore = rssKib();
        for (int i = 0; i < mutants; i++) {
            byte[] mutant = mutator.mutate(good);
            String how = mutator.last;
            T before = slot.compiled();
            renameOver(mutant, file); // the watcher may load it first: then this reload finds it unchanged
            ModelSlot.Outcome outcome = bounded(slot::reload, i, how);
            switch (outcome.result()) {
                case "refused" -> {
                    assertThat(outcome.error()).as("mutant %d (%s)", i, how).startsWith(file + ": ");
                    assertClear(outcome.error(), i, how);
                    assertThat(slot.compiled()).as("mutant %d (%s): the previous model serves on", i, how).isSameAs(before);
                    outcomes.merge(category(outcome.error(), file), 1, Integer::sum);
                    examples.putIfAbsent(category(outcome.error(), file), how + " -> " + outcome.error().substring(file.toString().length() + 2));
                }
                case "swapped" -> {
                    assertThat(slot.compiled()).as("mutant %d (%s) passed every check: it serves", i, how).isNotSameAs(before);
                    outcomes.merge("swapped in (passed every check)", 1, Integer::sum);
                    renameOver(good, file); // the next mutant is compared with the fixture again
                    assertThat(bounded(slot::reload, i, "the fixture again").result()).isIn("swapped", "unchanged");
                }
                case "unchanged" -> { // the same bytes as the serving model, or the watcher swapped this mutant in first
                    outcomes.merge(slot.compiled() == before ? "unchanged (same bytes)" : "swapped in (passed every check)", 1, Integer::sum);
                    if (slot.compiled() != before) {
                        renameOver(good, file);
                        assertThat(bounded(slot::reload, i, "the fixture again").result()).isIn("swapped", "unchanged");
                    }
                }
                default -> throw new AssertionError("mutant " + i + " (" + how + "): " + outcome);
            }
        }
        int refused = outcomes.entrySet().stream().filter(e -> !e.getKey().startsWith("swapped") && !e.getKey().startsWith("unchanged"))
                .mapToInt(java.util.Map.Entry::getValue).sum();
        System.out.printf("model file fuzz, %s (%s, seed %d): %d mutants, %d refused, %s; test JVM RSS %d -> %d MiB%n",
                fixture, kind.label(), seed, mutants, refused, outcomes, rssBefore / 1024, rssKib() / 1024);
        examples.forEach((category, example) -> System.out.println("  e.g. " + example));
        assertThat(refused).as("the fuzz reaches the checks").isGreaterThan(mutants / 2);
        assertThat(slot.failures()).as("each refusal counted (the watcher may have refused a file too)").isGreaterThanOrEqualTo(refused);
        renameOver(good, file);
        assertThat(slot.reload().result()).isIn("swapped", "unchanged");
        assertThat(slot.status()).containsEntry("serving", true);
    }

    private ModelSlot.Outcome bounded(java.util.concurrent.Callable<ModelSlot.Outcome> reload, int i, String how) throws Exception {
        Future<ModelSlot.Outcome> done = loader.submit(reload);
        try {
            return done.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException hang) {
            throw new AssertionError("mutant " + i + " (" + how + ") hung the loader for 60 s");
        }
    }

    /** A clear error says what was found and what was expected, or passes ONNX Runtime's own words on; never a bare exception. */
    static void assertClear(String error, int i, String how) {
        assertThat(error).as("mutant %d (%s)", i, how)
                .doesNotContainPattern("java\\.lang\\.[A-Za-z]*(NullPointer|IndexOutOfBounds|ClassCast|Arithmetic|NegativeArraySize)Exception")
                .doesNotEndWith("(null)")
                .doesNotContain("OutOfMemoryError");
    }

    /** What kind of refusal, for the report: the text after the file name up to its first detail. */
    static String category(String error, Path file) {
        String rest = error.substring(file.toString().length() + 2);
        if (rest.startsWith("not a valid ONNX model")) {
            return "not a valid ONNX model";
        }
        if (rest.startsWith("cannot be run")) {
            return "cannot be run";
        }
        if (rest.startsWith("cannot be compiled")) {
            return "cannot be compiled";
        }
        if (rest.startsWith("golden")) {
            return rest.startsWith("golden output") ? "golden output differs" : "golden input gave a bad number";
        }
        int cut = rest.indexOf(':');
        return cut > 0 ? rest.substring(0, cut) : rest.substring(0, Math.min(30, rest.length()));
    }

    static void renameOver(byte[] bytes, Path target) throws java.io.IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(temporary, bytes);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static long rssKib() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
