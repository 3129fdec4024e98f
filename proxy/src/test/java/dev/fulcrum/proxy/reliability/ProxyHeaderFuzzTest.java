package dev.fulcrum.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.EndReason;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.ListenerConfig.ProxyProtocol;
import dev.fulcrum.proxy.reliability.PatternStream.Checked;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Mutated PROXY v1 and v2 headers over real sockets to a listener that takes either (fixed seed):
 * each connection is relayed or closed, never left hanging; every flow ends with a reason; good
 * flows go on between them. ProxyProtocolTest has the hand-made malformed cases; this adds volume.
 */
class ProxyHeaderFuzzTest {

    static final int INPUTS = 400;
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    @Test
    void mutatedProxyHeadersAreRelayedOrClosedNeverHung() throws Exception {
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        try (TestServer echo = TestServer.echo();
                FulcrumProxy proxy = FulcrumProxy.start(TestConfigs.builder().proxyProtocol(ProxyProtocol.ANY)
                        .proxyProtocolTimeout(Duration.ofMillis(500)).backend(echo.port()).build());
                EchoFlows clients = new EchoFlows()) {
            SplittableRandom random = new SplittableRandom(4242);
            byte[] payload = "payload after the header".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < INPUTS; i++) {
                byte[] header = mutate(random.nextBoolean() ? v1() : v2(), random);
                try (Socket client = new Socket()) {
                    client.connect(proxy.listenerAddress(TestConfigs.LISTENER), 5_000);
                    client.setSoTimeout(10_000);
                    String outcome;
                    try {
                        client.getOutputStream().write(header);
                        client.getOutputStream().write(payload);
                        client.shutdownOutput();
                        byte[] back = client.getInputStream().readAllBytes();
                        outcome = back.length == 0 ? "closed" : Arrays.equals(back, payload) ? "relayed" : "relayed other bytes";
                    } catch (SocketTimeoutException hang) {
                        throw new AssertionError("input " + i + " hung: " + Arrays.toString(header));
                    } catch (SocketException reset) {
                        outcome = "reset";
                    }
                    outcomes.merge(outcome, 1, Integer::sum);
                }
                if (i % 100 == 99) { // a good flow still goes through (with a valid header)
                    try (Socket good = new Socket()) {
                        good.connect(proxy.listenerAddress(TestConfigs.LISTENER), 5_000);
                        good.setSoTimeout(10_000);
                        good.getOutputStream().write(v1());
                        PatternStream.write(good.getOutputStream(), i, 256 * 1024);
                        good.shutdownOutput();
                        Checked back = PatternStream.readAndCheck(good.getInputStream(), i, 256 * 1024);
                        assertThat(back.complete(256 * 1024)).as(back.toString()).isTrue();
                    }
                }
            }
            Resources.until(() -> proxy.openConnections(TestConfigs.LISTENER) == 0, "every flow closed");
            Resources.until(() -> Scrape.endedTotal(proxy) == INPUTS + INPUTS / 100, "every flow ended with a reason");
            System.out.println("PROXY header fuzz: " + INPUTS + " inputs, " + outcomes + ", bad_proxy_header counted "
                    + Scrape.ended(proxy, EndReason.BAD_PROXY_HEADER));
            assertThat(outcomes).as("the fuzz reaches both outcomes").containsKeys("relayed");
            assertThat(Scrape.ended(proxy, EndReason.BAD_PROXY_HEADER)).isPositive();
            assertThat(Scrape.ended(proxy, EndReason.ERROR)).isZero();
        }
    }

    private static byte[] v1() {
        return "PROXY TCP4 198.51.100.7 203.0.113.9 40000 443\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] v2() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(V2_SIGNATURE);
        out.write(0x21); // version 2, PROXY
        out.write(0x11); // TCP over IPv4
        out.write(0);
        out.write(12);
        out.writeBytes(new byte[] {(byte) 198, 51, 100, 7, (byte) 203, 0, 113, 9, (byte) 0x9C, 0x40, 0x01, (byte) 0xBB});
        return out.toByteArray();
    }

    private static byte[] mutate(byte[] header, SplittableRandom random) {
        byte[] bytes = header;
        for (int m = random.nextInt(0, 4); m > 0; m--) {
            switch (random.nextInt(5)) {
                case 0 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                case 1 -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                case 2 -> bytes = Arrays.copyOf(bytes, random.nextInt(1, bytes.length + 1)); // cut short
                case 3 -> { // longer: random bytes appended inside the header
                    byte[] longer = Arrays.copyOf(bytes, bytes.length + random.nextInt(1, 300));
                    for (int i = bytes.length; i < longer.length; i++) {
                        longer[i] = (byte) random.nextInt(256);
                    }
                    bytes = longer;
                }
                default -> { // a length field rewritten (v2) or a field dropped (v1)
                    if (bytes.length > 16 && bytes[0] == 0x0D) {
                        bytes[14] = (byte) random.nextInt(256);
                        bytes[15] = (byte) random.nextInt(256);
                    } else {
                        String text = new String(bytes, StandardCharsets.ISO_8859_1);
                        int space = text.indexOf(' ', random.nextInt(text.length()));
                        if (space > 0) {
                            bytes = (text.substring(0, space) + text.substring(Math.min(text.length(), text.indexOf(' ', space + 1) + 1)))
                                    .getBytes(StandardCharsets.ISO_8859_1);
                        }
                    }
                }
            }
        }
        return bytes;
    }
}
