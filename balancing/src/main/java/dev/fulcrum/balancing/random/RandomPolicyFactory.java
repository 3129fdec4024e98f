package dev.fulcrum.balancing.random;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.PolicyFactory;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * {@code policy: {type: random}}: weighted random (alias method). Takes no parameters.
 *
 * <pre>{@code
 * BalancingPolicy policy = Policies.create(backends, PolicyConfig.of("random"), null);
 * }</pre>
 */
public final class RandomPolicyFactory implements PolicyFactory {

    public static final String TYPE = "random";

    private static final LongSupplier THREAD_LOCAL_RANDOM = () -> ThreadLocalRandom.current().nextLong();

    private final LongSupplier random;

    public RandomPolicyFactory() {
        this(THREAD_LOCAL_RANDOM);
    }

    /** With another random source, for deterministic tests and simulations. */
    RandomPolicyFactory(LongSupplier random) {
        this.random = random;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(PolicyConfig config) {
        return Policies.unknownParameters(config, List.of());
    }

    @Override
    public BalancingPolicy create(BackendSet backends, PolicyConfig config, BalancingPolicy previous) {
        return new WeightedRandom(backends, random);
    }
}
