package dev.fulcrum.proxy.telemetry;

import dev.fulcrum.metrics.MeterNames;
import dev.fulcrum.metrics.feature.FeatureVector;
import dev.fulcrum.proxy.config.TelemetryConfig.StreamConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /api/stream}: every tick's feature vectors as NDJSON, one line per backend, for as long
 * as the client stays connected (docs/telemetry.md); with {@code ?lines=transitions} (or
 * {@code features,transitions}) the q-network pools' transitions too, one line per (tick, backend
 * that took flows), each with {@code "kind":"transition"} (docs/q-network.md). Feature lines are the
 * default, so a client written for them never meets another line. The control thread writes to the clients; a
 * client that reads too slowly is dropped, never buffered for without bound: when more than
 * {@code maxPendingBytes} wait for it, or its connection stayed unwritable for
 * {@code maxUnwritableTicks} ticks.
 */
public final class FeatureStream {

    /** One connected client; its counters are touched by the control thread and its write listeners. */
    private static final class Client {
        final Channel channel;
        final boolean features;
        final boolean transitions;
        final AtomicLong pending = new AtomicLong();
        int unwritableTicks;

        Client(Channel channel, boolean features, boolean transitions) {
            this.channel = channel;
            this.features = features;
            this.transitions = transitions;
        }
    }

    /** The kinds of line a client may ask for with {@code ?lines=}. */
    public static final List<String> LINES = List.of("features", "transitions");

    private final StreamConfig config;
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    private final Counter dropped;

    FeatureStream(StreamConfig config, MeterRegistry registry) {
        this.config = config;
        this.dropped = registry.counter(MeterNames.STREAM_DROPPED);
        Gauge.builder(MeterNames.STREAM_CLIENTS, clients, List::size).register(registry);
    }

    /** Answers the request on {@code channel} with the stream's headers; feature lines follow each tick. */
    public void subscribe(Channel channel) {
        subscribe(channel, List.of("features"));
    }

    /**
     * The kinds of line asked for by {@code ?lines=a,b} ({@code null} or absent: features only);
     * throws {@link IllegalArgumentException} with the message to answer when a kind is unknown.
     */
    public static List<String> lines(List<String> parameter) {
        if (parameter == null || parameter.isEmpty()) {
            return List.of("features");
        }
        List<String> kinds = new java.util.ArrayList<>();
        for (String value : parameter) {
            for (String kind : value.split(",", -1)) {
                if (!LINES.contains(kind.trim())) {
                    throw new IllegalArgumentException("lines: " + value + " (expected: features, transitions or both, comma-separated)");
                }
                kinds.add(kind.trim());
            }
        }
        return kinds;
    }

    /** As {@link #subscribe(Channel)}, with the kinds of line the client asked for ({@link #lines}). */
    public void subscribe(Channel channel, List<String> kinds) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson");
        response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        Client client = new Client(channel, kinds.contains("features"), kinds.contains("transitions"));
        channel.writeAndFlush(response);
        clients.add(client);
        channel.closeFuture().addListener(f -> clients.remove(client));
    }

    /** On the control thread: writes one tick's vectors to every client that asked for them, dropping slow ones. */
    void publish(List<FeatureVector> vectors) {
        if (clients.isEmpty() || vectors.isEmpty() || clients.stream().noneMatch(c -> c.features)) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (FeatureVector vector : vectors) {
            lines.append(FeatureLines.json(vector));
        }
        send(lines.toString().getBytes(StandardCharsets.UTF_8), false);
    }

    /** On the control thread: writes a tick's transitions (NDJSON lines, each ending in a newline) to the clients that asked. */
    void publishTransitions(List<String> lines) {
        if (clients.isEmpty() || lines.isEmpty() || clients.stream().noneMatch(c -> c.transitions)) {
            return;
        }
        send(String.join("", lines).getBytes(StandardCharsets.UTF_8), true);
    }

    private void send(byte[] bytes, boolean transitions) {
        for (Client client : clients) {
            if (!client.channel.isActive()) {
                clients.remove(client);
                continue;
            }
            if (transitions ? !client.transitions : !client.features) {
                continue;
            }
            // Counted once a tick (on the features' write, or the transitions' for a transitions-only client).
            if (transitions == !client.features) {
                client.unwritableTicks = client.channel.isWritable() ? 0 : client.unwritableTicks + 1;
            }
            if (client.pending.get() + bytes.length > config.maxPendingBytes()
                    || client.unwritableTicks >= config.maxUnwritableTicks()) {
                drop(client);
                continue;
            }
            ByteBuf chunk = Unpooled.wrappedBuffer(bytes);
            client.pending.addAndGet(bytes.length);
            client.channel.writeAndFlush(new DefaultHttpContent(chunk))
                    .addListener((ChannelFutureListener) f -> client.pending.addAndGet(-bytes.length));
        }
    }

    private void drop(Client client) {
        clients.remove(client);
        dropped.increment();
        // Closing discards what is queued for it: a slow reader costs the proxy nothing more.
        client.channel.close();
    }

    public int clients() {
        return clients.size();
    }

    public long dropped() {
        return (long) dropped.count();
    }

    void close() {
        for (Client client : clients) {
            client.channel.close();
        }
        clients.clear();
    }
}
