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
 * model: load = the window's mean of open flows) runs on the control thread, and the slow backend's
 * weight drops and its share of the flows with it.
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
        PolicyConfig policy = new PolicyConfig("load-aware", Map.of("model", FIXTURES.resolve("load-open-flows.onnx").toString(),
                "name", "proxy-open-flows", "fallback", "round-robin", "smoothing", 1.0));
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
            // The slow backend holds its flows open longer: its predicted load rises and its weight drops.
            TestWaits.until(() -> {
                Map<String, Map<String, Double>> insight = loadAware.insight();
                return insight.containsKey("slow") && insight.get("slow").get("weight") < 0.5
                        && insight.get("fast1").get("weight") > 0.5 && insight.get("fast2").get("weight") > 0.5;
            }, "the slow backend's weight is under half the fast ones'");
            Map<String, Integer> before = snapshot(served);
            TestWaits.until(() -> total(snapshot(served)) - total(before) >= 150, "150 more flows");
            stop.set(true);
            for (Thread client : clients) {
                client.join(10_000);
            }
            assertThat(failures).isEmpty();
            Map<String, Integer> after = snapshot(served);
            int slowFlows = after.getOrDefault("slow", 0) - before.getOrDefault("slow", 0);
            int all = total(after) - total(before);
            assertThat((double) slowFlows / all).as("slow's share once weighted: %s of %s", slowFlows, all).isLessThan(0.15);
            assertThat(loadAware.fallingBack()).isFalse();
            assertThat(proxy.registry().scrape()).contains("fulcrum_backend_predicted_load{backend=\"slow\",pool=\"test\"}")
                    .contains("fulcrum_backend_learned_weight{backend=\"fast1\",pool=\"test\"}");
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
