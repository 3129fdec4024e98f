package dev.fulcrum.proxy.testing;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.proxy.config.AdminConfig;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.HealthCheckConfig;
import dev.fulcrum.proxy.config.HostPort;
import dev.fulcrum.proxy.config.ListenerConfig;
import dev.fulcrum.proxy.config.ListenerConfig.FlowKey;
import dev.fulcrum.proxy.config.ListenerConfig.ProxyProtocol;
import dev.fulcrum.proxy.config.ListenerConfig.WaterMarks;
import dev.fulcrum.proxy.config.PoolConfig;
import dev.fulcrum.proxy.config.PoolOperations;
import dev.fulcrum.proxy.config.RuntimeConfig;
import dev.fulcrum.proxy.config.RuntimeConfig.Transport;
import dev.fulcrum.proxy.config.TelemetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds a one-listener, one-pool configuration on free loopback ports, for tests. */
public final class TestConfigs {

    public static final String LISTENER = "test";
    public static final String POOL = "test";

    private Transport transport = Transport.AUTO;
    private String policy = "round-robin";
    private final List<Backend> backends = new ArrayList<>();
    private int maxConnections = ListenerConfig.DEFAULT_MAX_CONNECTIONS;
    private Duration connectTimeout = Duration.ofSeconds(2);
    private int connectAttempts = 3;
    private Duration idleTimeout = Duration.ofMinutes(5);
    private WaterMarks waterMarks = WaterMarks.DEFAULT;
    private boolean admin;
    private FlowKey key = FlowKey.CLIENT_ADDRESS_PORT;
    private HealthCheckConfig health;
    private ProxyProtocol proxyProtocol = ProxyProtocol.OFF;
    private Duration proxyProtocolTimeout = ListenerConfig.DEFAULT_PROXY_PROTOCOL_TIMEOUT;
    private TelemetryConfig telemetry = new TelemetryConfig(Duration.ofMillis(50));
    private Duration sniTimeout = ListenerConfig.DEFAULT_SNI_TIMEOUT;
    private PoolOperations operations = PoolOperations.NONE;

    public static TestConfigs builder() {
        return new TestConfigs();
    }

    public TestConfigs transport(Transport transport) {
        this.transport = transport;
        return this;
    }

    public TestConfigs policy(String type) {
        this.policy = type;
        return this;
    }

    public TestConfigs backend(int port) {
        return backend(port, 1, 0);
    }

    public TestConfigs backend(int port, int weight, int maxConnections) {
        backends.add(new Backend("b" + backends.size(), "127.0.0.1", port, weight, maxConnections));
        return this;
    }

    public TestConfigs maxConnections(int max) {
        this.maxConnections = max;
        return this;
    }

    public TestConfigs connectTimeout(Duration timeout) {
        this.connectTimeout = timeout;
        return this;
    }

    public TestConfigs connectAttempts(int attempts) {
        this.connectAttempts = attempts;
        return this;
    }

    public TestConfigs idleTimeout(Duration timeout) {
        this.idleTimeout = timeout;
        return this;
    }

    public TestConfigs waterMarks(int low, int high) {
        this.waterMarks = new WaterMarks(low, high);
        return this;
    }

    public TestConfigs key(FlowKey key) {
        this.key = key;
        return this;
    }

    public TestConfigs health(HealthCheckConfig health) {
        this.health = health;
        return this;
    }

    public TestConfigs proxyProtocol(ProxyProtocol proxyProtocol) {
        this.proxyProtocol = proxyProtocol;
        return this;
    }

    public TestConfigs proxyProtocolTimeout(Duration timeout) {
        this.proxyProtocolTimeout = timeout;
        return this;
    }

    public TestConfigs telemetry(TelemetryConfig telemetry) {
        this.telemetry = telemetry;
        return this;
    }

    public TestConfigs sniTimeout(Duration timeout) {
        this.sniTimeout = timeout;
        return this;
    }

    public TestConfigs operations(PoolOperations operations) {
        this.operations = operations;
        return this;
    }

    public TestConfigs admin() {
        this.admin = true;
        return this;
    }

    public FulcrumConfig build() {
        ListenerConfig listener = new ListenerConfig(LISTENER, new HostPort("127.0.0.1", 0), POOL, key,
                maxConnections, connectTimeout, connectAttempts, idleTimeout, waterMarks, proxyProtocol,
                proxyProtocolTimeout, sniTimeout);
        PoolConfig pool = new PoolConfig(POOL, PolicyConfig.of(policy), backends, health, operations);
        return new FulcrumConfig(null, new RuntimeConfig(transport, 2, Duration.ofSeconds(5)),
                new AdminConfig(admin, new HostPort("127.0.0.1", 0)),
                Map.of(LISTENER, listener), Map.of(POOL, pool), telemetry);
    }
}
