package dev.fulcrum.proxy.config;

import java.time.Duration;

/**
 * @param transport    {@code auto} (epoll when its native library loads, NIO otherwise), {@code epoll} or {@code nio}
 * @param eventLoops   event-loop threads for the data plane; {@code 0} means one per core
 * @param drainTimeout on SIGTERM, how long open flows may take to finish before they are closed
 * @param watchConfig  whether a change of the configuration file reloads it (as SIGHUP does)
 */
public record RuntimeConfig(Transport transport, int eventLoops, Duration drainTimeout, boolean watchConfig) {

    public static final RuntimeConfig DEFAULT = new RuntimeConfig(Transport.AUTO, 0, Duration.ofSeconds(30), true);

    /** Watching the configuration file. */
    public RuntimeConfig(Transport transport, int eventLoops, Duration drainTimeout) {
        this(transport, eventLoops, drainTimeout, true);
    }

    public enum Transport {
        AUTO, EPOLL, NIO;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
