package dev.fulcrum.proxy;

import static dev.fulcrum.proxy.ReloadConfigs.backend;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.proxy.config.FulcrumConfig;
import dev.fulcrum.proxy.testing.TestConfigs;
import dev.fulcrum.proxy.testing.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Reloads in a loop under steady load on real sockets: backend sets, weights and policies change
 * 30 times while client threads open short flows and long flows echo across every reload. No flow
 * may fail, every byte must come back (CRC32 of what was sent against what was echoed), flows open
 * on removed backends must go on, and the backends' active counts must end at zero (a count that
 * did not carry over would end negative or stuck above zero).
 */
class ReloadUnderLoadTest {

    private static final String[] POLICIES = {"round-robin", "least-connections", "maglev", "random", "p2c-peak-ewma",
            "ring-hash", "jump-hash", "rendezvous"};

    @Test
    void reloadsUnderLoadLoseNoFlowAndNoByte() throws Exception {
        try (TestServer a = TestServer.echo(); TestServer b = TestServer.echo(); TestServer c = TestServer.echo()) {
            List<List<Backend>> sets = List.of(
                    List.of(backend("a", a.port(), 1), backend("b", b.port(), 2)),
                    List.of(backend("b", b.port(), 1), backend("c", c.port(), 3)),
                    List.of(backend("a", a.port(), 2), backend("c", c.port(), 1)),
                    List.of(backend("a", a.port(), 1), backend("b", b.port(), 1), backend("c", c.port(), 1)));
            FulcrumConfig base = TestConfigs.builder().build();
            FulcrumConfig first = ReloadConfigs.withPool(base, "round-robin", sets.get(3));
            try (FulcrumProxy proxy = FulcrumProxy.start(first)) {
                int port = proxy.listenerAddress(TestConfigs.LISTENER).getPort();
                List<Throwable> failures = new CopyOnWriteArrayList<>();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong flows = new AtomicLong();
                AtomicLong bytes = new AtomicLong();
                List<Socket> longFlows = new ArrayList<>();
                for (int i = 0; i < 6; i++) { // on every backend, so some are removed under them
                    Socket s = new Socket("127.0.0.1", port);
                    s.setSoTimeout(10_000);
                    longFlows.add(s);
                }
                List<Thread> clients = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    long seed = t;
                    clients.add(startThread(() -> shortFlows(port, seed, stop, flows, bytes, failures)));
                }
                clients.add(startThread(() -> {
                    Random random = new Random(99);
                    while (!stop.get() && failures.isEmpty()) {
                        for (Socket s : longFlows) {
                            try {
                                echoChunk(s, random, 1024);
                            } catch (Throwable e) {
                                failures.add(new AssertionError("a long flow failed", e));
                                return;
                            }
                        }
                    }
                }));

                int reloads = 30;
                for (int i = 0; i < reloads && failures.isEmpty(); i++) {
                    ReloadResult result = proxy.reload(ReloadConfigs.withPool(base, POLICIES[i % POLICIES.length], sets.get(i % 3)));
                    assertThat(result.isOk()).as("reload %s: %s", i, result).isTrue();
                    // Traffic between every two reloads, however slow the machine (with 30 ms between
                    // reloads, a loaded machine could finish fewer than the 30 short flows required).
                    long done = flows.get();
                    int reload = i;
                    TestWaits.until(() -> flows.get() > done || !failures.isEmpty(), "a short flow completed after reload " + reload);
                }
                Thread.sleep(200);
                stop.set(true);
                for (Thread client : clients) {
                    client.join(30_000);
                }
                assertThat(failures).as("flows that failed").isEmpty();
                assertThat(flows.get()).as("short flows completed, one at least after each reload").isGreaterThanOrEqualTo(reloads);
                for (Socket s : longFlows) {
                    s.shutdownOutput();
                    assertThat(s.getInputStream().read()).as("the long flow ends cleanly").isEqualTo(-1);
                    s.close();
                }
                TestWaits.until(() -> proxy.openConnections(TestConfigs.LISTENER) == 0, "every flow closed");
                for (Backend backend : sets.get(2)) {
                    BackendState state = proxy.backend(TestConfigs.POOL, backend.name());
                    TestWaits.until(() -> state.activeFlows() == 0, backend.name() + "'s active count back to 0, not " + state.activeFlows());
                }
                // Removed backends are forgotten once their last flow ended (checked each control tick).
                TestWaits.until(() -> proxy.status().retiringBackends().isEmpty(), "no removed backend with flows left");
                assertThat(proxy.flowsEnded(TestConfigs.LISTENER, EndReason.BACKEND_REMOVED)).isZero();
                assertThat(proxy.flowsEnded(TestConfigs.LISTENER, EndReason.CONNECT_FAILED)).isZero();
                assertThat(proxy.flowsEnded(TestConfigs.LISTENER, EndReason.NO_BACKEND)).isZero();
                assertThat(proxy.registry().get("fulcrum.config.reloads").tag("result", "ok").counter().count()).isEqualTo(reloads);
            }
        }
    }

    private static Thread startThread(Runnable body) {
        Thread thread = new Thread(body, "reload-load-client");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void shortFlows(int port, long seed, AtomicBoolean stop, AtomicLong flows, AtomicLong bytes, List<Throwable> failures) {
        Random random = new Random(seed);
        while (!stop.get() && failures.isEmpty()) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                int chunks = 1 + random.nextInt(8);
                for (int i = 0; i < chunks; i++) {
                    bytes.addAndGet(echoChunk(s, random, 1 + random.nextInt(16 * 1024)));
                }
                s.shutdownOutput();
                if (s.getInputStream().read() != -1) {
                    throw new AssertionError("bytes after the echo");
                }
                flows.incrementAndGet();
            } catch (Throwable e) {
                failures.add(e);
            }
        }
    }

    /** Sends {@code size} random bytes and reads them back, comparing CRC32s. */
    private static int echoChunk(Socket s, Random random, int size) throws Exception {
        byte[] sent = new byte[size];
        random.nextBytes(sent);
        OutputStream out = s.getOutputStream();
        out.write(sent);
        out.flush();
        InputStream in = s.getInputStream();
        byte[] received = in.readNBytes(size);
        CRC32 expected = new CRC32();
        expected.update(sent);
        CRC32 actual = new CRC32();
        actual.update(received);
        if (received.length != size || expected.getValue() != actual.getValue()) {
            throw new AssertionError("echo of " + size + " bytes came back as " + received.length + " bytes with another checksum");
        }
        return size;
    }
}
