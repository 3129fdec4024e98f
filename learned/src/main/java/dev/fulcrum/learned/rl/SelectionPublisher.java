package dev.fulcrum.learned.rl;

/**
 * Holds the current {@link SelectionSnapshot} of one pool: the control thread calls
 * {@link #update} whenever the state moves (at most once a tick), event loops call
 * {@link #current()} and draw from it.
 *
 * <p>Threading: one writer (the control thread), any number of readers. A bad update (NaN or
 * infinite Q-values, no child present) is refused and counted; the previous snapshot keeps
 * serving, so a broken model never stops or skews traffic.
 */
public final class SelectionPublisher {

    private final double temperature;
    private volatile SelectionSnapshot current;
    private long version;
    private long rejected;
    private String lastRejection;

    /** @param initial served until the first accepted update (e.g. {@link SelectionSnapshot#uniform}) */
    public SelectionPublisher(double temperature, SelectionSnapshot initial) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature: " + temperature + " (expected: a finite number > 0)");
        }
        this.temperature = temperature;
        this.current = initial;
        this.version = initial.version();
    }

    public SelectionSnapshot current() {
        return current;
    }

    public double temperature() {
        return temperature;
    }

    /**
     * Publishes the Boltzmann distribution of {@code q}, or keeps the previous one.
     *
     * @return whether the new distribution was published
     */
    public boolean update(double[] q, boolean[] present) {
        SelectionSnapshot next;
        try {
            next = SelectionSnapshot.fromQ(q, present, temperature, version + 1);
        } catch (IllegalArgumentException e) {
            rejected++;
            lastRejection = e.getMessage();
            return false;
        }
        version++;
        current = next;
        return true;
    }

    /** Updates refused so far (control thread only). */
    public long rejectedUpdates() {
        return rejected;
    }

    /** Why the last update was refused, or null (control thread only). */
    public String lastRejection() {
        return lastRejection;
    }
}
