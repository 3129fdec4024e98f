package dev.fulcrum.proxy.qos;

import dev.fulcrum.proxy.config.QosConfig;
import dev.fulcrum.metrics.MeterNames;
import dev.fulcrum.qos.BandwidthTask;
import dev.fulcrum.qos.Edge;
import dev.fulcrum.qos.EfficiencyPredictor;
import dev.fulcrum.qos.Port;
import dev.fulcrum.qos.PressureController;
import dev.fulcrum.qos.ResourceKind;
import dev.fulcrum.qos.StorageDag;
import dev.fulcrum.qos.StorageNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bandwidth classes at run time: one {@link ClassShaper} per class, the nodes' watermark readers,
 * and the {@link PressureController} that sets the classes' rates on every control tick. Built from
 * {@link QosConfig}; {@link #tick} runs on the control thread, never on an event loop.
 *
 * <p>Until every node has reported a watermark, the classes are stopped (a trickle); a node
 * whose reads fail keeps its last value (and is logged, once per failure streak).
 */
public final class QosRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QosRuntime.class);

    private final QosConfig config;
    private final PressureController controller;
    private final List<WatermarkReader> readers = new ArrayList<>();
    private final Map<String, ClassShaper> shapersByListener = new LinkedHashMap<>();
    private final List<ClassShaper> shapers = new ArrayList<>();
    private final ScheduledExecutorService counters;
    private final ExecutorService http;
    private final HttpClient client;
    private final double[] watermarks;
    private double[] pressures;
    private volatile String lastWarning;

    private QosRuntime(QosConfig config, MeterRegistry registry) {
        this.config = config;
        StorageDag dag = dag(config);
        double[][] prior = new double[dag.tasks().size()][dag.resources().size()];
        int t = 0;
        for (QosConfig.BandwidthClass cls : config.classes().values()) {
            int k = 0;
            for (QosConfig.Resource r : config.resources().values()) {
                prior[t][k++] = r.use().getOrDefault(cls.name(), 0.0);
            }
            t++;
        }
        this.controller = new PressureController("pascal", dag, prior, EfficiencyPredictor.named(config.predictor()),
                PressureController.Settings.DEFAULT);
        this.counters = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "fulcrum-qos-counters"));
        this.http = Executors.newSingleThreadExecutor(r -> daemon(r, "fulcrum-qos-http"));
        this.client = HttpClient.newBuilder().executor(http).connectTimeout(config.fetchTimeout()).build();
        this.watermarks = new double[config.nodes().size()];
        this.pressures = new double[config.nodes().size()];
        int n = 0;
        for (QosConfig.Node node : config.nodes().values()) {
            readers.add(new WatermarkReader(node, client, config.fetchTimeout()));
            int index = n++;
            Tags tags = Tags.of("node", node.name());
            Gauge.builder(MeterNames.QOS_WATERMARK, this, q -> q.watermarks[index]).tags(tags)
                    .description("Watermark (capacity utilisation) last read from the node").register(registry);
            Gauge.builder(MeterNames.QOS_PRESSURE, this, q -> q.pressures.length > index ? q.pressures[index] : Double.NaN).tags(tags)
                    .description("Pressure the controller mapped the node's watermark to").register(registry);
        }
        for (QosConfig.BandwidthClass cls : config.classes().values()) {
            // Stopped until the controller has every watermark: nothing flows into a tier not yet seen.
            ClassShaper shaper = new ClassShaper(cls.name(), counters, 0);
            shapers.add(shaper);
            cls.listeners().forEach(l -> shapersByListener.put(l, shaper));
            Tags tags = Tags.of("class", cls.name());
            Gauge.builder(MeterNames.QOS_CLASS_RATE, shaper, ClassShaper::rate).tags(tags).baseUnit("bytes")
                    .description("Rate the controller set for the class, bytes per second each way").register(registry);
            Gauge.builder(MeterNames.QOS_CLASS_MEASURED_RATE, shaper, ClassShaper::measuredRate).tags(tags).baseUnit("bytes")
                    .description("Bytes per second through the class over the last second").register(registry);
            FunctionCounter.builder(MeterNames.QOS_THROTTLED, shaper, ClassShaper::throttledBytes).tags(tags).baseUnit("bytes")
                    .description("Bytes the class's shaper held back").register(registry);
        }
        java.util.Arrays.fill(watermarks, Double.NaN);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread thread = new Thread(r, name);
        thread.setDaemon(true);
        return thread;
    }

    /** The runtime for {@code config}, or null when it has no class. */
    public static QosRuntime create(QosConfig config, MeterRegistry registry) {
        return config.enabled() ? new QosRuntime(config, registry) : null;
    }

    /** The DAG the controller works on: the configured nodes, every other edge end as a port. */
    static StorageDag dag(QosConfig config) {
        List<StorageNode> nodes = new ArrayList<>();
        for (QosConfig.Node n : config.nodes().values()) {
            nodes.add(new StorageNode(n.name(), 1, n.lower(), n.upper(), n.idealWatermark(), n.stiffness()));
        }
        Set<String> ports = new LinkedHashSet<>();
        List<BandwidthTask> tasks = new ArrayList<>();
        for (QosConfig.BandwidthClass cls : config.classes().values()) {
            List<Edge> edges = new ArrayList<>();
            for (QosConfig.Edge e : cls.edges()) {
                edges.add(new Edge(e.from(), e.to(), e.weight()));
                for (String end : List.of(e.from(), e.to())) {
                    if (!config.nodes().containsKey(end)) {
                        ports.add(end);
                    }
                }
            }
            tasks.add(new BandwidthTask(cls.name(), edges, cls.client(), cls.maxRate()));
        }
        List<ResourceKind> resources = new ArrayList<>();
        config.resources().values().forEach(r -> resources.add(new ResourceKind(r.name(), r.limit())));
        return new StorageDag(nodes, ports.stream().map(Port::new).toList(), tasks, resources);
    }

    /** The shaper of the listener's class, or null when the listener is in none. */
    public ClassShaper shaperFor(String listener) {
        return shapersByListener.get(listener);
    }

    /** One control tick: start fresh watermark reads, and with every node known, set new rates. */
    public void tick() {
        long now = System.nanoTime();
        shapers.forEach(s -> s.measure(now));
        for (WatermarkReader reader : readers) {
            reader.refresh(this::warn);
        }
        for (int n = 0; n < readers.size(); n++) {
            watermarks[n] = readers.get(n).last();
            if (Double.isNaN(watermarks[n])) {
                return;
            }
        }
        double[] rates = controller.rates(watermarks.clone(), null);
        pressures = controller.lastPressures();
        for (int c = 0; c < shapers.size(); c++) {
            double rate = rates[c];
            shapers.get(c).setRate(Double.isFinite(rate) ? Math.round(Math.max(0, rate)) : config.classes().values().stream()
                    .skip(c).findFirst().orElseThrow().maxRate());
        }
    }

    private void warn(String message) {
        if (!message.equals(lastWarning)) {
            lastWarning = message;
            log.warn(message);
        }
    }

    /** Rates the controller set, by class (bytes per second). */
    public Map<String, Long> rates() {
        Map<String, Long> rates = new LinkedHashMap<>();
        shapers.forEach(s -> rates.put(s.className(), s.rate()));
        return rates;
    }

    /** Measured bytes per second over the last second, by class. */
    public Map<String, Long> measuredRates() {
        Map<String, Long> rates = new LinkedHashMap<>();
        shapers.forEach(s -> rates.put(s.className(), s.measuredRate()));
        return rates;
    }

    /** The last watermark read from each node (NaN until the first read), by node; on the control thread. */
    public Map<String, Double> watermarks() {
        Map<String, Double> out = new LinkedHashMap<>();
        int n = 0;
        for (String node : config.nodes().keySet()) {
            out.put(node, watermarks[n++]);
        }
        return out;
    }

    /** The pressure the controller last mapped each node's watermark to (NaN before it has run), by node; on the control thread. */
    public Map<String, Double> pressures() {
        Map<String, Double> out = new LinkedHashMap<>();
        int n = 0;
        for (String node : config.nodes().keySet()) {
            out.put(node, n < pressures.length && !Double.isNaN(watermarks[n]) ? pressures[n] : Double.NaN);
            n++;
        }
        return out;
    }

    /**
     * Per class, bytes it was allowed to read so far (the integral over time of the rates the
     * controller set), bytes it read, and how many times its reads paused at the rate: over any
     * window, the first two differences are the target and the measured amount, and pauses all
     * through the window show that the offered load exceeded the rate.
     */
    public Map<String, double[]> allowedAndReadBytes() {
        Map<String, double[]> bytes = new LinkedHashMap<>();
        shapers.forEach(s -> bytes.put(s.className(), new double[] {s.allowedBytes(), s.readBytes(), s.pauses()}));
        return bytes;
    }

    @Override
    public void close() {
        shapers.forEach(ClassShaper::release);
        counters.shutdownNow();
        http.shutdownNow();
        try {
            counters.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
