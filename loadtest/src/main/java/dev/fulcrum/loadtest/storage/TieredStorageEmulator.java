package dev.fulcrum.loadtest.storage;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A tiered store on real sockets, for Fulcrum's bandwidth classes: a cache tier, a disk tier and a
 * sink (space freed by garbage collection), each a TCP server; clients write into the cache, a
 * flush agent moves cache data to the disk, a GC agent moves disk data to the sink, and every one
 * of these flows goes through its own Fulcrum listener (its own bandwidth class). The tiers report
 * their watermarks over HTTP for Fulcrum's pressure controller.
 *
 * <p>Usage: create it, start Fulcrum with {@link #config}, then {@link #startAgents} with a way to
 * find Fulcrum's listener addresses.
 */
public final class TieredStorageEmulator implements AutoCloseable {

    private final TierServer cache;
    private final TierServer disk;
    private final TierServer sink;
    private final WatermarkEndpoint endpoint;
    private List<MigrationAgent> agents = List.of();

    public TieredStorageEmulator(long cacheBytes, long diskBytes) throws IOException {
        cache = new TierServer("cache", cacheBytes, 0);
        disk = new TierServer("disk", diskBytes, diskBytes / 4);
        sink = new TierServer("free", Long.MAX_VALUE / 4, 0);
        endpoint = new WatermarkEndpoint(List.of(cache, disk));
    }

    /** A Fulcrum configuration: one listener and pool per class, the controller over cache and disk. */
    public String config(long linkBytesPerSecond) {
        return String.format(Locale.ROOT, """
                admin: {address: off}
                telemetry: {tick: 250ms}
                listeners:
                  client: {bind: 127.0.0.1:0, pool: cache}
                  flush: {bind: 127.0.0.1:0, pool: disk}
                  gc: {bind: 127.0.0.1:0, pool: free}
                pools:
                  cache: {backends: [127.0.0.1:%d]}
                  disk: {backends: [127.0.0.1:%d]}
                  free: {backends: [127.0.0.1:%d]}
                qos:
                  fetchTimeout: 500ms
                  nodes:
                    cache: {watermark: "%s", idealWatermark: 0.5, stiffness: 5}
                    disk: {watermark: "%s", idealWatermark: 0.5, stiffness: 5}
                  classes:
                    client: {listeners: [client], client: true, edges: [{from: clients, to: cache}]}
                    flush: {listeners: [flush], edges: [{from: cache, to: disk}]}
                    gc: {listeners: [gc], edges: [{from: disk, to: free}]}
                  resources:
                    link: {limit: %d, use: {client: 1, flush: 1, gc: 1}}
                """, cache.port(), disk.port(), sink.port(), endpoint.url("cache"), endpoint.url("disk"), linkBytesPerSecond);
    }

    /** Starts clients, flush and GC, each through the Fulcrum listener {@code listeners} names. */
    public void startAgents(Function<String, InetSocketAddress> listeners) throws IOException {
        agents = List.of(new MigrationAgent("client", null, listeners.apply("client")),
                new MigrationAgent("flush", cache, listeners.apply("flush")),
                new MigrationAgent("gc", disk, listeners.apply("gc")));
    }

    /** Bytes that arrived at the tier behind each class: client -> cache, flush -> disk, gc -> free. */
    public long[] received() {
        return new long[] {cache.received(), disk.received(), sink.received()};
    }

    public double[] watermarks() {
        return new double[] {cache.watermark(), disk.watermark()};
    }

    /** The largest watermark each tier reached (cache, disk); above 1 is an overflow. */
    public double[] highestWatermarks() {
        return new double[] {cache.highestWatermark(), disk.highestWatermark()};
    }

    @Override
    public void close() throws IOException {
        for (MigrationAgent agent : agents) {
            agent.close();
        }
        endpoint.close();
        cache.close();
        disk.close();
        sink.close();
    }
}
