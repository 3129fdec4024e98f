package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.learned.load.LoadAwarePolicy;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.config.PoolConfig;
import dev.fulcrum.proxy.config.TelemetryConfig;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The load-aware policy on real sockets: three backends, one of them slow (it holds each flow ten
 * times longer), under concurrent clients. Telemetry measures the flows, the estimator (a fixture
 * model: load = the window's mean of fct.ema_mean, the seconds a flow takes) runs on the control
 * thread, and the slow backend's weight drops and its share of the flows with it.
 */
class LoadAwarePolicyProxyTest {

    private static final Path FIXTURES = Path.of("../learned/src/test/resources/models").toAbsolutePath().normalize();

    @AfterEach
    void forgetModels() {
        ModelRegistry.global().close();
    }

    /** Answers its name after holding the flow {@code holdMillis} (a backend that takes that long to serve). */
    private static TestServer server(String name, long holdMillis) throws IOException {
        return TestServer.start(socket -> {
            socket.getInputStream().readAllBytes();
            Thread.sleep(holdMillis);
            socket.getOutputStream().write(name.getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
        });
    }

    static FulcrumConfig withPolicy(FulcrumConfig config, PolicyConfig policy) {
        PoolConfig pool = config.pools().get(TestConfigs.POOL);
        PoolConfig changed = new PoolConfig(pool.name(), policy, pool.backends(), pool.health(), pool.operations());
        return new FulcrumConfig(config.source(), config.runtime(), config.admin(), config.listeners(),
                Map.of(TestConfigs.POOL, changed), config.telemetry());
    }

    @Test
    void flowsMoveAwayFromTheSlowBackend() throws Exception {
        PolicyConfig policy = new PolicyConfig("load-aware", Map.of("model", FIXTURES.resolve("load-flow-time.onnx").toString(),
                "name", "proxy-flow-time", "fallback", "round-robin", "mapping", "inverse-load", "smoothing", 1.0, "loadOffset", 0.05));
        try (TestServer fast1 = server("fast1", 30);
                TestServer fast2 = server("fast2", 30);
                TestServer slow = server("slow", 300);
                FulcrumProxy proxy = FulcrumProxy.start(withPolicy(TestConfigs.builder()
                        .telemetry(new TelemetryConfig(Duration.ofMillis(50)))
                        .backend(fast1.port()).backend(fast2.port()).backend(slow.port()).build(), policy))) {
            BalancingPolicy running = proxy.pools.get(TestConfigs.POOL).policy();
            assertThat(running).isInstanceOf(LoadAwarePolicy.class);
            LoadAwarePolicy loadAware = (LoadAwarePolicy) running;

            Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Throwable> failures = new ArrayList<>();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                Thread client = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            served.computeIfAbsent(flow(proxy), k -> new AtomicInteger()).incrementAndGet();
                        }
                    } catch (IOException | RuntimeException e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                }, "load-aware-client-" + c);
                client.start();
                clients.add(client);
            }
            // The slow backend holds its flows open longer: its predicted load rises and its weight drops
            // under the fast ones'. Sampled every 50 ms while 200 flows go through, once the model serves.
            // First the slow backend's flow times must be seen (its EMA climbs as its flows end).
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!(ratio(loadAware.insight()) < 0.5)) {
                assertThat(System.nanoTime() - deadline).as("the slow backend's weight under half: %s", loadAware.insight()).isNegative();
                Thread.sleep(20);
            }
            Map<String, Integer> before = snapshot(served);
            List<Double> ratios = new ArrayList<>();
            while (total(snapshot(served)) - total(before) < 150 && System.nanoTime() < deadline) {
                ratios.add(ratio(loadAware.insight()));
                Thread.sleep(50);
            }
            stop.set(true);
            for (Thread client : clients) {
                client.join(10_000);
            }
            assertThat(failures).isEmpty();
            Map<String, Integer> after = snapshot(served);
            int slowFlows = after.getOrDefault("slow", 0) - before.getOrDefault("slow", 0);
            int all = total(after) - total(before);
            // the median: one fast flow caught in a pause can dip a fast weight for a tick
            double medianRatio = ratios.stream().sorted().toList().get(ratios.size() / 2);
            assertThat(medianRatio).as("slow's weight over the fast ones', median of %s samples; last insight %s; served %s", ratios.size(),
                    loadAware.insight(), after).isLessThan(0.7);
            assertThat((double) slowFlows / all).as("slow's share once weighted: %s of %s", slowFlows, all).isLessThan(0.2);
            assertThat(loadAware.fallingBack()).isFalse();
            assertThat(proxy.registry().scrape()).contains("fulcrum_backend_predicted_load{backend=\"b2\",pool=\"test\"}")
                    .contains("fulcrum_backend_learned_weight{backend=\"b0\",pool=\"test\"}");
        }
    }

    @Test
    void withoutTelemetryTheFallbackCarriesTheFlows() throws Exception {
        PolicyConfig policy = new PolicyConfig("load-aware", Map.of("model", FIXTURES.resolve("load-open-flows.onnx").toString(),
                "name", "proxy-no-telemetry", "fallback", "round-robin"));
        try (TestServer a = server("a", 0);
                TestServer b = server("b", 0);
                FulcrumProxy proxy = FulcrumProxy.start(withPolicy(TestConfigs.builder()
                        .telemetry(new TelemetryConfig(Duration.ofMillis(50)).withEnabled(false))
                        .backend(a.port()).backend(b.port()).build(), policy))) {
            Map<String, Integer> served = new java.util.HashMap<>();
            for (int i = 0; i < 6; i++) {
                served.merge(flow(proxy), 1, Integer::sum);
            }
            assertThat(served).containsOnly(Map.entry("a", 3), Map.entry("b", 3));
            assertThat(((LoadAwarePolicy) proxy.pools.get(TestConfigs.POOL).policy()).fallingBack()).isTrue();
        }
    }

    /** The slow backend's weight over the lower fast one's (the builder names them b0, b1, b2: fast1, fast2, slow); NaN before weights. */
    private static double ratio(Map<String, Map<String, Double>> insight) {
        if (insight.isEmpty()) {
            return Double.NaN;
        }
        return insight.get("b2").get("weight") / Math.min(insight.get("b0").get("weight"), insight.get("b1").get("weight"));
    }

    private static String flow(FulcrumProxy proxy) throws IOException {
        try (Socket client = HalfCloseAndResetTest.connect(proxy)) {
            client.setSoTimeout(10_000);
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static Map<String, Integer> snapshot(Map<String, AtomicInteger> served) {
        Map<String, Integer> copy = new java.util.HashMap<>();
        served.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    private static int total(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
}
