package dev.fulcrum.qos;

/** EMA, mean or min over a ring of the last {@code window} observations (PASCAL §5.3). */
final class WindowedPredictor implements EfficiencyPredictor {

    enum Reduction { EMA, MEAN, MIN }

    private final double prior;
    private final double[] ring;
    private final Reduction reduction;
    private final double alpha;
    private int size;
    private int next;

    WindowedPredictor(double prior, int window, Reduction reduction, double alpha) {
        Checks.check(prior >= 0 && Double.isFinite(prior), "prior efficiency: %s (expected: >= 0)", prior);
        Checks.check(window > 0, "window: %s (expected: > 0)", window);
        this.prior = prior;
        this.ring = new double[window];
        this.reduction = reduction;
        this.alpha = alpha;
    }

    @Override
    public void observe(double efficiency) {
        if (!(efficiency >= 0) || Double.isInfinite(efficiency)) {
            return;
        }
        ring[next] = efficiency;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    @Override
    public double predict() {
        if (size == 0) {
            return prior;
        }
        int oldest = (next - size + ring.length) % ring.length;
        switch (reduction) {
            case MEAN -> {
                double sum = 0;
                for (int i = 0; i < size; i++) {
                    sum += ring[(oldest + i) % ring.length];
                }
                return sum / size;
            }
            case MIN -> {
                double min = Double.POSITIVE_INFINITY;
                for (int i = 0; i < size; i++) {
                    min = Math.min(min, ring[(oldest + i) % ring.length]);
                }
                return min;
            }
            default -> {
                double ema = ring[oldest];
                for (int i = 1; i < size; i++) {
                    ema += alpha * (ring[(oldest + i) % ring.length] - ema);
                }
                return ema;
            }
        }
    }
}
