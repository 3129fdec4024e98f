package dev.fulcrum.balancing.p2c;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.PolicyFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * {@code policy: {type: p2c-peak-ewma, decay: 10s, penalty: 1s}}: power of two choices over
 * peak-EWMA latency ({@link P2cPeakEwma}).
 *
 * <ul>
 *   <li>{@code decay} (default {@code 10s}, as Finagle and Linkerd; {@code 100ms} to {@code 5m}): the
 *       time constant of the latency estimate. After a spike the estimate falls to 37% of it in one
 *       decay time when nothing lower is seen, and a run of lower samples pulls it 63% of the way
 *       toward them in one decay time.
 *   <li>{@code penalty} (default {@code 1s}; {@code 1ms} to {@code 1h}): the latency assumed for a
 *       backend that has open flows but no latency sample yet.
 * </ul>
 *
 * <pre>{@code
 * PolicyConfig config = new PolicyConfig("p2c-peak-ewma", Map.of("decay", "5s"));
 * BalancingPolicy policy = Policies.create(backends, config, null);
 * }</pre>
 */
public final class P2cPeakEwmaPolicyFactory implements PolicyFactory {

    public static final String TYPE = "p2c-peak-ewma";

    static final DurationParameter DECAY =
            new DurationParameter("decay", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5));
    static final DurationParameter PENALTY =
            new DurationParameter("penalty", Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofHours(1));

    private static final LongSupplier THREAD_LOCAL_RANDOM = () -> ThreadLocalRandom.current().nextLong();

    private final LongSupplier random;
    private final LongSupplier clock;

    public P2cPeakEwmaPolicyFactory() {
        this(THREAD_LOCAL_RANDOM, System::nanoTime);
    }

    /** With another random source and clock, for deterministic tests and simulations. */
    P2cPeakEwmaPolicyFactory(LongSupplier random, LongSupplier clock) {
        this.random = random;
        this.clock = clock;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(PolicyConfig config) {
        List<String> problems = new ArrayList<>();
        DECAY.read(config.parameters(), problems);
        PENALTY.read(config.parameters(), problems);
        problems.addAll(Policies.unknownParameters(config, List.of(DECAY.name(), PENALTY.name())));
        return problems;
    }

    @Override
    public BalancingPolicy create(BackendSet backends, PolicyConfig config, BalancingPolicy previous) {
        List<String> problems = new ArrayList<>();
        Duration decay = DECAY.read(config.parameters(), problems);
        Duration penalty = PENALTY.read(config.parameters(), problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("policy " + TYPE + ": " + String.join("; ", problems));
        }
        // Nothing to carry over from `previous`: the latency estimates live in the backends' states.
        return new P2cPeakEwma(backends, decay.toNanos(), penalty.toNanos(), random, clock);
    }
}
