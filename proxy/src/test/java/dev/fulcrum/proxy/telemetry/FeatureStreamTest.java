package dev.fulcrum.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fulcrum.metrics.feature.FeatureSchema;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.TelemetryConfig;
import dev.fulcrum.proxy.config.TelemetryConfig.StreamConfig;
import dev.fulcrum.proxy.testing.TestConfigs;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** GET /api/stream over real sockets: NDJSON lines for a reader that keeps up, a drop for one that does not. */
class FeatureStreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static TestConfigs backends(int count) throws Exception {
        TestConfigs config = TestConfigs.builder().admin();
        for (int i = 0; i < count; i++) {
            // Features are published for every backend every tick, with or without traffic.
            config.backend(closedPort());
        }
        return config;
    }

    private static Socket openStream(FulcrumProxy proxy, int receiveBuffer) throws Exception {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", proxy.adminAddress().getPort()), 2000);
        socket.getOutputStream().write("GET /api/stream HTTP/1.1\r\nHost: fulcrum\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    @Test
    void aReaderGetsOneJsonLinePerBackendPerTick() throws Exception {
        try (FulcrumProxy proxy = FulcrumProxy.start(backends(2).build());
                Socket socket = openStream(proxy, 0)) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            List<String> headers = new ArrayList<>();
            for (String line; !(line = in.readLine()).isEmpty(); ) {
                headers.add(line.toLowerCase(java.util.Locale.ROOT));
            }
            assertThat(headers).contains("content-type: application/x-ndjson", "transfer-encoding: chunked");
            List<JsonNode> objects = new ArrayList<>();
            while (objects.size() < 10) {
                String line = in.readLine();
                assertThat(line).isNotNull();
                // Chunked framing: a size line, then the chunk's lines (each a whole JSON object), then an empty line.
                if (line.startsWith("{")) {
                    objects.add(JSON.readTree(line));
                }
            }
            Set<String> backends = new HashSet<>();
            for (JsonNode object : objects) {
                assertThat(object.get("schema").asInt()).isEqualTo(FeatureSchema.VERSION);
                assertThat(object.get("pool").asText()).isEqualTo(TestConfigs.POOL);
                assertThat(object.get("timestamp").asLong()).isPositive();
                assertThat(object.get("tickMillis").asLong()).isEqualTo(50);
                backends.add(object.get("backend").asText());
                List<String> names = new ArrayList<>();
                for (Iterator<String> it = object.get("features").fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                assertThat(names).containsExactlyElementsOf(FeatureSchema.columns());
                // Every connect to a closed port is refused: no flow, but the counters are there.
                assertThat(object.at("/features/n_f").asDouble()).isZero();
            }
            assertThat(backends).containsExactlyInAnyOrder("b0", "b1");
            assertThat(proxy.telemetry().stream().dropped()).isZero();
            assertThat(proxy.telemetry().stream().clients()).isEqualTo(1);
        }
    }

    @Test
    void aReaderThatStopsReadingIsDroppedNotBufferedFor() throws Exception {
        StreamConfig tight = new StreamConfig(64 * 1024, 100_000);
        try (FulcrumProxy proxy = FulcrumProxy.start(backends(8)
                .telemetry(new TelemetryConfig(Duration.ofMillis(50)).withStream(tight)).build());
                Socket slow = openStream(proxy, 4096)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (proxy.telemetry().stream().dropped() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(proxy.telemetry().stream().dropped()).isEqualTo(1);
            assertThat(proxy.telemetry().stream().clients()).isZero();
            // The proxy closed it: what the kernels held is read, then the end of the stream.
            slow.setSoTimeout(10_000);
            InputStream in = slow.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            try {
                while (in.read(buffer) != -1) {
                    // drain
                }
            } catch (SocketException reset) {
                // a close with unsent data may reset: dropped either way
            }
            assertThat(proxy.registry().scrape()).contains("fulcrum_telemetry_stream_dropped_total 1.0");
        }
    }
}
