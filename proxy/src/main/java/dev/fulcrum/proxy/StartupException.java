package dev.fulcrum.proxy;

/** Fulcrum could not start as configured; the message says what and where. Nothing stays running. */
public final class StartupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
