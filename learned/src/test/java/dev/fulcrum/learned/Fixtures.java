package dev.fulcrum.learned;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The ONNX fixtures of src/test/resources/models (make_fixtures.py regenerates them). */
public final class Fixtures {

    private Fixtures() {
    }

    public static Path model(String name) {
        Path path = Path.of("src/test/resources/models", name).toAbsolutePath();
        if (!Files.exists(path)) {
            throw new IllegalStateException("missing fixture " + path + " (run learned/src/test/resources/models/make_fixtures.py)");
        }
        return path;
    }

    /** Replaces {@code target} with a fixture the way trainers do: write beside it, then rename over it. */
    public static void renameOver(String fixture, Path target) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.copy(model(fixture), temporary, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
