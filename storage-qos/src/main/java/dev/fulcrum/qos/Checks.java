package dev.fulcrum.qos;

/** Argument checks that say what was found and what was expected. */
final class Checks {

    private Checks() {
    }

    static void check(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(format, args));
        }
    }

    static void name(String name, String what) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(what + " name: \"" + name + "\" (expected: a non-empty name)");
        }
    }
}
