package dev.fulcrum.loadtest.storage;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The tiers' watermark endpoint: {@code GET /watermark/<tier>} answers {@code {"watermark": w}},
 * {@code GET /metrics} answers Prometheus text with {@code storage_watermark{tier="..."} w}.
 */
final class WatermarkEndpoint implements AutoCloseable {

    private final HttpServer server;

    WatermarkEndpoint(List<TierServer> tiers) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        for (TierServer tier : tiers) {
            server.createContext("/watermark/" + tier.name(), exchange -> {
                byte[] body = String.format(Locale.ROOT, "{\"watermark\": %.6f}", tier.watermark()).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
        }
        server.createContext("/metrics", exchange -> {
            StringBuilder text = new StringBuilder("# TYPE storage_watermark gauge\n");
            for (TierServer tier : tiers) {
                text.append(String.format(Locale.ROOT, "storage_watermark{tier=\"%s\"} %.6f%n", tier.name(), tier.watermark()));
            }
            byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    String url(String tier) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/watermark/" + tier;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
