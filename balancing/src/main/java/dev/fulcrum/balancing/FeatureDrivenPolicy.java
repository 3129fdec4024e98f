package dev.fulcrum.balancing;

import dev.fulcrum.metrics.feature.FeatureVector;
import java.util.List;

/**
 * A policy that acts on the features telemetry measures (Aquarius' asynchronous loop: features in,
 * new weights out). The proxy calls {@link #onTick} on the control thread after each telemetry
 * tick with that tick's vectors of the policy's pool (empty when telemetry is off); the policy
 * publishes what it derives as a new immutable snapshot for {@link #pick}. Never called on an
 * event loop, so it may run a model, allocate and log.
 */
public interface FeatureDrivenPolicy extends BalancingPolicy {

    /** One tick's feature vectors of this policy's pool, one per backend that telemetry measured. */
    void onTick(List<FeatureVector> vectors);
}
