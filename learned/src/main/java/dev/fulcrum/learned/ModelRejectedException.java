package dev.fulcrum.learned;

import java.nio.file.Path;

/** A model file that breaks its contract; the message names the file, what was found and what was expected. */
public final class ModelRejectedException extends Exception {

    public ModelRejectedException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public ModelRejectedException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
