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

    /** Connect attempts that were retries after a failed connect, counted on the backend retried to (tags: pool, backend). */
    public static final String BACKEND_CONNECT_RETRIES = "fulcrum.backend.connect.retries";
    /** The backend's configured weight (tags: pool, backend). */
    public static final String BACKEND_WEIGHT = "fulcrum.backend.weight";
    /** Backend connect time, connect() to established (timer; tags: pool, backend). */
    public static final String BACKEND_CONNECT_TIME = "fulcrum.backend.connect.time";
    /** First client byte forwarded to the first backend byte read, pt_1st (timer; tags: pool, backend). */
    public static final String BACKEND_FIRST_BYTE_TIME = "fulcrum.backend.first.byte.time";
    /** Accept to close of a flow (timer; tags: pool, backend). */
    public static final String BACKEND_FLOW_COMPLETION_TIME = "fulcrum.backend.flow.completion.time";
    /** TCP_INFO smoothed RTT of backend sockets, epoll only (timer; tags: pool, backend). */
    public static final String BACKEND_RTT = "fulcrum.backend.rtt";
    /** Mean TCP_INFO congestion window (cwnd x mss) of the backend sockets sampled in the last tick, epoll only (bytes). */
    public static final String BACKEND_TCP_CWND = "fulcrum.backend.tcp.cwnd";
    /** Mean TCP_INFO rcv_space of the backend sockets sampled in the last tick, epoll only (bytes). */
    public static final String BACKEND_TCP_RCV_SPACE = "fulcrum.backend.tcp.rcv.space";
    /** /api/stream clients dropped for reading too slowly. */
    public static final String STREAM_DROPPED = "fulcrum.telemetry.stream.dropped";
    /** /api/stream clients connected now. */
    public static final String STREAM_CLIENTS = "fulcrum.telemetry.stream.clients";
    /** Ground-truth fetches for the dataset that failed or timed out (tags: pool, backend). */
    public static final String GROUND_TRUTH_FAILURES = "fulcrum.telemetry.ground.truth.failures";
    /** Times a backend was ejected by passive ejection (tags: pool, backend). */
    public static final String BACKEND_EJECTIONS = "fulcrum.backend.ejections";
    /** 1 while passive ejection keeps the backend out, else 0 (tags: pool, backend). */
    public static final String BACKEND_EJECTED = "fulcrum.backend.ejected";
    /** Flows of an sni-keyed listener keyed on the client address instead, by reason (tags: listener, reason). */
    public static final String SNI_FALLBACKS = "fulcrum.sni.fallbacks";

    /** Watermark (capacity utilisation) last read from a storage node (tags: node). */
    public static final String QOS_WATERMARK = "fulcrum.qos.watermark";
    /** Pressure the controller mapped a node's watermark to (tags: node). */
    public static final String QOS_PRESSURE = "fulcrum.qos.pressure";
    /** Rate the controller set for a bandwidth class, bytes per second each way (tags: class). */
    public static final String QOS_CLASS_RATE = "fulcrum.qos.class.rate";
    /** Bytes per second through a bandwidth class over the last second (tags: class). */
    public static final String QOS_CLASS_MEASURED_RATE = "fulcrum.qos.class.measured.rate";
    /** Bytes a bandwidth class's shaper held back (tags: class). */
    public static final String QOS_THROTTLED = "fulcrum.qos.throttled";

    public static final String TAG_LISTENER = "listener";
    public static final String TAG_POOL = "pool";
    public static final String TAG_BACKEND = "backend";
    public static final String TAG_REASON = "reason";
    public static final String TAG_DIRECTION = "direction";
    public static final String TAG_RESULT = "result";

    /** Each meter's help text on {@code /metrics} (promtool wants one), set by {@link PrometheusRegistries}. */
    public static final java.util.Map<String, String> HELP = java.util.Map.ofEntries(
            java.util.Map.entry(FLOWS_ACCEPTED, "Client connections a listener accepted"),
            java.util.Map.entry(FLOWS_ENDED, "Flows that ended, by reason"),
            java.util.Map.entry(LISTENER_OPEN, "Client connections a listener holds open now"),
            java.util.Map.entry(BACKEND_FLOWS, "Flows a backend was given"),
            java.util.Map.entry(BACKEND_ACTIVE, "Flows open to a backend now"),
            java.util.Map.entry(BACKEND_CONNECT_FAILURES, "Connects to a backend that were refused or timed out"),
            java.util.Map.entry(BACKEND_BYTES, "Bytes relayed, by direction"),
            java.util.Map.entry(BACKEND_HEALTHY, "1 while the backend's health checks pass (always 1 without checks), else 0"),
            java.util.Map.entry(BACKEND_HEALTH_CHECKS, "Health checks done, by result"),
            java.util.Map.entry(BACKEND_CONNECT_RETRIES, "Connect attempts to a backend that retried a failed connect"),
            java.util.Map.entry(BACKEND_WEIGHT, "The backend's weight"),
            java.util.Map.entry(BACKEND_CONNECT_TIME, "Backend connect time, connect() to established"),
            java.util.Map.entry(BACKEND_FIRST_BYTE_TIME, "First client byte forwarded to first backend byte read (pt_1st)"),
            java.util.Map.entry(BACKEND_FLOW_COMPLETION_TIME, "Flow completion time, accept to close"),
            java.util.Map.entry(BACKEND_RTT, "TCP_INFO smoothed RTT of backend sockets (epoll only)"),
            java.util.Map.entry(BACKEND_TCP_CWND, "Mean congestion window (cwnd x mss) of backend sockets sampled in the last tick that sampled one"),
            java.util.Map.entry(BACKEND_TCP_RCV_SPACE, "Mean TCP_INFO rcv_space of backend sockets sampled in the last tick that sampled one"),
            java.util.Map.entry(STREAM_DROPPED, "/api/stream clients dropped for reading too slowly"),
            java.util.Map.entry(STREAM_CLIENTS, "/api/stream clients connected now"),
            java.util.Map.entry(GROUND_TRUTH_FAILURES, "Ground-truth fetches for the dataset that failed or were late"),
            java.util.Map.entry(BACKEND_EJECTIONS, "Times passive ejection ejected the backend"),
            java.util.Map.entry(BACKEND_EJECTED, "1 while passive ejection keeps the backend out, else 0"),
            java.util.Map.entry(SNI_FALLBACKS, "Flows of an sni-keyed listener keyed on the client address instead, by reason"),
            java.util.Map.entry(CONFIG_RELOADS, "Configuration reloads, by result"),
            java.util.Map.entry(CONFIG_LAST_RELOAD_SUCCESS, "When the running configuration was loaded (start or last successful reload), Unix time"),
            java.util.Map.entry(QOS_WATERMARK, "Watermark (capacity utilisation) last read from the node"),
            java.util.Map.entry(QOS_PRESSURE, "Pressure the controller mapped the node's watermark to"),
            java.util.Map.entry(QOS_CLASS_RATE, "Rate the controller set for the class, bytes per second each way"),
            java.util.Map.entry(QOS_CLASS_MEASURED_RATE, "Bytes per second through the class over the last second"),
            java.util.Map.entry(QOS_THROTTLED, "Bytes the class's shaper held back"));

    private MeterNames() {
    }
}
