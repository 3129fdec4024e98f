package dev.fulcrum.metrics;

/**
 * Names of Fulcrum's meters, in one place so dashboards and alerts have one source of truth.
 * Micrometer names use dots; the Prometheus registry writes them with underscores and the
 * {@code _total} suffix for counters ({@code fulcrum.flows.accepted} becomes
 * {@code fulcrum_flows_accepted_total}).
 */
public final class MeterNames {

    /** Client connections a listener accepted (tags: listener). */
    public static final String FLOWS_ACCEPTED = "fulcrum.flows.accepted";
    /** Flows that ended, by reason (tags: listener, reason). */
    public static final String FLOWS_ENDED = "fulcrum.flows.ended";
    /** Client connections a listener holds open now (tags: listener). */
    public static final String LISTENER_OPEN = "fulcrum.listener.open.connections";
    /** Flows a backend was given (tags: pool, backend). */
    public static final String BACKEND_FLOWS = "fulcrum.backend.flows";
    /** Flows open to a backend now (tags: pool, backend). */
    public static final String BACKEND_ACTIVE = "fulcrum.backend.active.flows";
    /** Connects to a backend that failed or timed out (tags: pool, backend). */
    public static final String BACKEND_CONNECT_FAILURES = "fulcrum.backend.connect.failures";
    /** Bytes relayed, by direction {@code to_backend} or {@code to_client} (tags: pool, backend, direction). */
    public static final String BACKEND_BYTES = "fulcrum.backend.bytes";
    /** 1 while the pool's health checks see the backend UP (always, without checks), else 0 (tags: pool, backend). */
    public static final String BACKEND_HEALTHY = "fulcrum.backend.healthy";
    /** Health checks done, by result {@code pass}, {@code fail} or {@code timeout} (tags: pool, backend, result). */
    public static final String BACKEND_HEALTH_CHECKS = "fulcrum.backend.health.checks";
    /** Configuration reloads, by result {@code ok} or {@code refused} (tags: result). */
    public static final String CONFIG_RELOADS = "fulcrum.config.reloads";
    /** When the configuration was last loaded successfully (start or reload), in seconds since the epoch. */
    public static final String CONFIG_LAST_RELOAD_SUCCESS = "fulcrum.config.last.reload.success.timestamp";

    public static final String TAG_LISTENER = "listener";
    public static final String TAG_POOL = "pool";
    public static final String TAG_BACKEND = "backend";
    public static final String TAG_REASON = "reason";
    public static final String TAG_DIRECTION = "direction";
    public static final String TAG_RESULT = "result";

    private MeterNames() {
    }
}
