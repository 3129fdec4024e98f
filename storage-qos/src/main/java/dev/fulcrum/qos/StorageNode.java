package dev.fulcrum.qos;

/**
 * A node of the migration DAG (PASCAL §3.1): a storage tier, or a class of data within a tier
 * (valid or garbage data on the SSD tier). Its state is a watermark (capacity utilisation in [0, 1])
 * reported each tick; here are its fixed attributes.
 *
 * @param capacity       bytes the node can hold (informational; watermarks are already fractions)
 * @param lower          watermark under which no task may move data out of the node (Eq. 5)
 * @param upper          watermark over which no task may move data into the node (Eq. 5)
 * @param idealWatermark where the node's pressure equals its ideal pressure (Property 1); tuned by
 *                       Bayesian optimisation
 * @param stiffness      how fast pressure grows away from the ideal watermark (the mapping's second
 *                       hyperparameter, Eq. 21)
 */
public record StorageNode(String name, double capacity, double lower, double upper, double idealWatermark,
        double stiffness) {

    public StorageNode {
        Checks.name(name, "node");
        Checks.check(capacity > 0, "node %s: capacity: %s (expected: > 0)", name, capacity);
        Checks.check(lower >= 0 && lower < upper && upper <= 1, "node %s: lower, upper: %s, %s (expected: 0 <= lower < upper <= 1)",
                name, lower, upper);
        Checks.check(idealWatermark > 0 && idealWatermark < 1, "node %s: idealWatermark: %s (expected: in (0, 1))",
                name, idealWatermark);
        Checks.check(stiffness > 0 && Double.isFinite(stiffness), "node %s: stiffness: %s (expected: > 0)", name, stiffness);
    }

    public StorageNode withIdealWatermark(double ideal) {
        return new StorageNode(name, capacity, lower, upper, ideal, stiffness);
    }

    public StorageNode withStiffness(double k) {
        return new StorageNode(name, capacity, lower, upper, idealWatermark, k);
    }
}
