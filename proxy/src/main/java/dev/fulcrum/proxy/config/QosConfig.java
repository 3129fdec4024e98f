package dev.fulcrum.proxy.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Bandwidth classes and the pressure controller that sets their rates ({@code qos:} in the file;
 * see docs/pressure-control.md). Absent: no class, no shaping.
 *
 * @param nodes        storage nodes by name, each with where its watermark is read
 * @param classes      bandwidth classes by name
 * @param resources    shared resources by name (a link's bytes per second, a device's bandwidth)
 * @param fetchTimeout how long one watermark request may take
 * @param predictor    resource-efficiency predictor: ema, mean or min
 */
public record QosConfig(Map<String, Node> nodes, Map<String, BandwidthClass> classes, Map<String, Resource> resources,
        Duration fetchTimeout, String predictor) {

    public static final QosConfig NONE = new QosConfig(Map.of(), Map.of(), Map.of(), Duration.ofMillis(500), "ema");

    public boolean enabled() {
        return !classes.isEmpty();
    }

    /**
     * @param watermark where the node reports its watermark (HTTP GET)
     * @param format    {@code json} (a number under {@code field}) or {@code prometheus} (the sample named {@code field})
     */
    public record Node(String name, URI watermark, String format, String field, double lower, double upper,
            double idealWatermark, double stiffness) {
    }

    /**
     * @param listeners the listeners whose flows belong to the class (a pool's listeners when the class names the pool)
     * @param edges     from -> to, by node or port name
     * @param client    whether this is the client throughput class (changed prudently)
     * @param maxRate   bytes per second the class never passes
     */
    public record BandwidthClass(String name, List<String> listeners, List<Edge> edges, boolean client, long maxRate) {
    }

    public record Edge(String from, String to, double weight) {
    }

    /** @param use per class, the resource units one byte of the class consumes */
    public record Resource(String name, long limit, Map<String, Double> use) {
    }
}
