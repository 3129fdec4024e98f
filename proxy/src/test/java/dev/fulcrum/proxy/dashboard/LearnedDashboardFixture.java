package dev.fulcrum.proxy.dashboard;

import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.demo.DemoBackend;
import dev.fulcrum.proxy.demo.DemoLoad;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Fulcrum on loopback running the two learned policies with the fixture models their own
 * tests use: pool {@code aware} ({@code load-aware}, model {@code load-open-flows.onnx}: the
 * predicted load is the window's mean of a backend's open flows) over three demo backends, and
 * pool {@code qnet} ({@code q-network}, model {@code least-loaded-2.onnx}: Q highest for the
 * child with the fewest flows) over two of them, under a bounded load.
 *
 * <p>Pool {@code aware} carries only flows the test holds open ({@link #holdAware}): its open
 * flows stay constant, so once the model's window has filled, each backend's predicted load is
 * exactly its measured active flows, a number the page can be checked against.
 */
final class LearnedDashboardFixture implements AutoCloseable {

    private static final Path LOAD_MODEL = Path.of("../learned/src/test/resources/models/load-open-flows.onnx").toAbsolutePath().normalize();
    private static final Path Q_MODEL = Path.of("src/test/resources/qnet/least-loaded-2.onnx").toAbsolutePath();

    final FulcrumProxy proxy;
    private final EventLoopGroup group;
    private final List<DemoBackend> backends = new ArrayList<>();
    private final List<Socket> held = new ArrayList<>();
    private final DemoLoad load;

    LearnedDashboardFixture(Path dir, int requestsPerSecond, Duration duration) throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("learned-dashboard-fixture", true), NioIoHandler.newFactory());
        backends.add(DemoBackend.start("fast", Duration.ofMillis(5), group));
        backends.add(DemoBackend.start("medium", Duration.ofMillis(20), group));
        backends.add(DemoBackend.start("slow", Duration.ofMillis(80), group));
        Path loadModel = dir.resolve("loads.onnx");
        Files.copy(LOAD_MODEL, loadModel);
        Path qModel = dir.resolve("choices.onnx");
        Files.copy(Q_MODEL, qModel);
        StringBuilder three = new StringBuilder();
        for (DemoBackend b : backends) {
            three.append("      - {name: ").append(b.name()).append(", address: 127.0.0.1:").append(b.port()).append("}\n");
        }
        String two = three.substring(0, three.lastIndexOf("      - "));
        String yaml = """
                admin: {address: 127.0.0.1:0}
                telemetry: {tick: 250ms}
                listeners:
                  aware: {bind: 127.0.0.1:0, pool: aware}
                  qnet: {bind: 127.0.0.1:0, pool: qnet}
                pools:
                  aware:
                    policy: {type: load-aware, model: "%s", name: loads, smoothing: 1.0}
                    backends:
                %s  qnet:
                    policy: {type: q-network, model: "%s", name: choices}
                    backends:
                %s""".formatted(loadModel, three, qModel, two);
        Path config = dir.resolve("fulcrum.yaml");
        Files.writeString(config, yaml);
        proxy = FulcrumProxy.start(ConfigLoader.load(config));
        load = new DemoLoad(proxy.listenerAddress("qnet"), group);
        load.start(requestsPerSecond, duration);
    }

    /**
     * Opens {@code flows} connections through pool {@code aware} and keeps them open without a
     * request (the demo backends wait for one), one at a time so the policy sees each before the next.
     */
    void holdAware(int flows) throws IOException, InterruptedException {
        for (int i = 0; i < flows; i++) {
            int before = activeAware();
            Socket socket = new Socket();
            socket.connect(proxy.listenerAddress("aware"), 2_000);
            held.add(socket);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (activeAware() != before + 1) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("flow " + (i + 1) + " through pool aware never became active");
                }
                Thread.sleep(20);
            }
        }
    }

    int activeAware() {
        return backends.stream().mapToInt(b -> proxy.backend("aware", b.name()).activeFlows()).sum();
    }

    String adminUrl(String path) {
        return "http://127.0.0.1:" + proxy.adminAddress().getPort() + path;
    }

    @Override
    public void close() {
        load.close();
        for (Socket socket : held) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a loopback socket the test held: nothing to report
            }
        }
        proxy.close();
        ModelRegistry.global().close();
        backends.forEach(DemoBackend::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
