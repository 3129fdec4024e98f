package dev.fulcrum.qos;

/** Baseline: fixed bandwidths, set once (a static allocation, PASCAL §5.1's Baseline 3 stand-in). */
public final class StaticPolicy implements BandwidthPolicy {

    private final String name;
    private final double[] rates;

    public StaticPolicy(String name, double[] rates) {
        for (double rate : rates) {
            Checks.check(rate >= 0, "static rate: %s (expected: >= 0)", rate);
        }
        this.name = name;
        this.rates = rates.clone();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double[] rates(double[] watermarks, double[][] efficiency) {
        return rates.clone();
    }
}
