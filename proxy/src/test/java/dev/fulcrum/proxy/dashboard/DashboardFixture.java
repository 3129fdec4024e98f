package dev.fulcrum.proxy.dashboard;

import com.sun.net.httpserver.HttpServer;
import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.demo.DemoBackend;
import dev.fulcrum.proxy.demo.DemoLoad;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Fulcrum on loopback with what the dashboard shows: pool {@code web} (the insight probe
 * policy) over three demo HTTP backends of different service times (fast 5 ms, medium 20 ms, slow
 * 80 ms), pool {@code hashed} (the learned hash, with its model in the registry) over the same
 * backends, a bandwidth class on {@code web} whose storage node reports watermark 0.42, and a
 * bounded load through both listeners.
 */
final class DashboardFixture implements AutoCloseable {

    static final double WATERMARK = 0.42;
    private static final Path MODELS = Path.of("../learned/src/test/resources/models").toAbsolutePath().normalize();

    final FulcrumProxy proxy;
    private final EventLoopGroup group;
    private final List<DemoBackend> backends = new ArrayList<>();
    private final List<DemoLoad> loads = new ArrayList<>();
    private final HttpServer watermarks;

    DashboardFixture(Path dir, int requestsPerSecond, Duration load) throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("dashboard-fixture", true), NioIoHandler.newFactory());
        backends.add(DemoBackend.start("fast", Duration.ofMillis(5), group));
        backends.add(DemoBackend.start("medium", Duration.ofMillis(20), group));
        backends.add(DemoBackend.start("slow", Duration.ofMillis(80), group));
        watermarks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        watermarks.createContext("/watermark", exchange -> {
            byte[] body = ("{\"watermark\": " + WATERMARK + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        watermarks.start();
        Path model = dir.resolve("clients.onnx");
        Files.copy(MODELS.resolve("learned-hash.onnx"), model);
        StringBuilder pool = new StringBuilder();
        for (DemoBackend b : backends) {
            pool.append("      - {name: ").append(b.name()).append(", address: 127.0.0.1:").append(b.port()).append("}\n");
        }
        String yaml = """
                admin: {address: 127.0.0.1:0}
                telemetry: {tick: 250ms}
                listeners:
                  web: {bind: 127.0.0.1:0, pool: web}
                  hashed: {bind: 127.0.0.1:0, pool: hashed}
                pools:
                  web:
                    policy: {type: test-insight}
                    backends:
                %s  hashed:
                    policy: {type: learned-hash, model: "%s", name: clients}
                    backends:
                %sqos:
                  nodes: {cache: {watermark: "http://127.0.0.1:%d/watermark", idealWatermark: 0.5}}
                  classes: {client: {pools: [web], client: true, edges: [{from: clients, to: cache}], maxRate: 100MiB}}
                  resources: {link: {limit: 200MiB, use: {client: 1}}}
                """.formatted(pool, model, pool, watermarks.getAddress().getPort());
        Path config = dir.resolve("fulcrum.yaml");
        Files.writeString(config, yaml);
        proxy = FulcrumProxy.start(ConfigLoader.load(config));
        for (String listener : List.of("web", "hashed")) {
            DemoLoad demoLoad = new DemoLoad(proxy.listenerAddress(listener), group);
            demoLoad.start(requestsPerSecond, load);
            loads.add(demoLoad);
        }
    }

    String adminUrl(String path) {
        return "http://127.0.0.1:" + proxy.adminAddress().getPort() + path;
    }

    @Override
    public void close() {
        loads.forEach(DemoLoad::close);
        proxy.close();
        ModelRegistry.global().close();
        watermarks.stop(0);
        backends.forEach(DemoBackend::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
