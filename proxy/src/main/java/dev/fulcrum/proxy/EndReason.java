package dev.fulcrum.proxy;

import java.util.Locale;

/** Why a flow ended; a tag on {@code fulcrum_flows_ended_total}. */
public enum EndReason {
    /** The client closed (after its half-close, or at once). */
    CLIENT_CLOSE,
    /** The backend closed. */
    BACKEND_CLOSE,
    /** The client reset the connection; the reset was passed to the backend. */
    CLIENT_RESET,
    /** The backend reset the connection; the reset was passed to the client. */
    BACKEND_RESET,
    /** No byte moved either way for the listener's idle timeout. */
    IDLE_TIMEOUT,
    /** Every backend tried refused the connect or timed out. */
    CONNECT_FAILED,
    /** No backend could take the flow (none configured, all draining or at their connection limit). */
    NO_BACKEND,
    /** The listener was at its connection limit. */
    LISTENER_FULL,
    /**
     * The listener expects a PROXY protocol header and the client's was malformed, too long, of a
     * version the listener does not accept, or not complete within the listener's timeout.
     */
    BAD_PROXY_HEADER,
    /** Shutdown's drain timeout ran out while the flow was open. */
    SHUTDOWN,
    /** A reload removed the flow's backend and the pool's {@code removedBackendDrainTimeout} ran out. */
    BACKEND_REMOVED,
    /** An unexpected error on one of the flow's connections. */
    ERROR;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
