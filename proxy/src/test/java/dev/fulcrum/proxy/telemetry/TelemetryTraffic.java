package dev.fulcrum.proxy.telemetry;

import dev.fulcrum.metrics.feature.FeatureVector;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Request/response traffic for telemetry tests, and a collector of every tick's vectors. */
final class TelemetryTraffic {

    static final byte[] REQUEST = "GET /x\n".getBytes(StandardCharsets.US_ASCII);
    static final int RESPONSE_BYTES = 3000;
    /** The backend waits this long before answering: a lower bound of pt_1st and fct. */
    static final long SERVICE_MILLIS = 20;

    private TelemetryTraffic() {
    }

    /** Reads one request line, waits {@link #SERVICE_MILLIS}, answers {@link #RESPONSE_BYTES} bytes and closes. */
    static TestServer slowResponder() throws IOException {
        return TestServer.start(socket -> {
            var in = socket.getInputStream();
            for (int b; (b = in.read()) != -1 && b != '\n'; ) {
                // the request line
            }
            Thread.sleep(SERVICE_MILLIS);
            socket.getOutputStream().write(new byte[RESPONSE_BYTES]);
            socket.shutdownOutput();
            in.readAllBytes();
        });
    }

    /** One flow through the proxy: the request, then the whole response; returns its length. */
    static int exchange(FulcrumProxy proxy) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(proxy.listenerAddress(TestConfigs.LISTENER), 2000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(REQUEST);
            int n = socket.getInputStream().readAllBytes().length;
            socket.shutdownOutput();
            return n;
        }
    }

    /** Every tick's vectors, as the control thread hands them over. */
    static final class Collected {
        final List<FeatureVector> vectors = new CopyOnWriteArrayList<>();

        Collected(FulcrumProxy proxy) {
            proxy.telemetry().onTick(vectors::addAll);
        }

        double sum(String column) {
            double sum = 0;
            for (FeatureVector v : vectors) {
                sum += v.value(column);
            }
            return sum;
        }

        /** Values of a column in the ticks where {@code countColumn} saw something. */
        List<Double> where(String column, String channel) {
            List<Double> values = new ArrayList<>();
            for (FeatureVector v : vectors) {
                if (v.value(channel + ".mean") != 0 || v.value(channel + ".p90") != 0) {
                    values.add(v.value(column));
                }
            }
            return values;
        }
    }
}
