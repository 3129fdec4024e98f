package dev.fulcrum.loadtest.testbed;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The three traces of the Aquarius testbed (Yao et al. 2021, appendix B.4 to B.6), as requests to
 * an {@link EmulatedBackend}: each draws the work of one request (microseconds of a slot at speed
 * 1) and the size of its reply. Service time is emulated, so "CPU-bound" and "IO-bound" differ only
 * in how work and reply size relate.
 */
public enum Workload {

    /** B.4, the PHP for-loop: iterations exponentially distributed, reply size proportional to them. */
    FOR_LOOP("for-loop") {
        @Override
        Request draw(SplittableRandom random) {
            long work = Math.max(1, Math.round(exponential(random, FOR_LOOP_MEAN_MICROS)));
            return new Request(work, (int) Math.min(MAX_BYTES, work * FOR_LOOP_BYTES_PER_MILLI / 1000));
        }
    },

    /**
     * B.5, static files of 100 KB to 5 MB (the paper's seven sizes, equally likely); the work is the
     * size at {@link #FILE_BYTES_PER_SECOND} per slot, standing in for the disk and copy time.
     */
    FILE("file") {
        @Override
        Request draw(SplittableRandom random) {
            int bytes = FILE_SIZES[random.nextInt(FILE_SIZES.length)];
            return new Request(Math.round(bytes * 1e6 / FILE_BYTES_PER_SECOND), bytes);
        }
    },

    /**
     * B.3 stands in for the Wikipedia replay, which we do not have: a heavy-tailed mix of page views
     * (Pareto work, shape 2, from 60 ms, capped at 3 s; log-normal page size around 25 KB) and cheap
     * static objects (2 ms, log-normal size around 8 KB with a long tail), 85:15.
     */
    WIKI("wiki") {
        @Override
        Request draw(SplittableRandom random) {
            if (random.nextDouble() < 0.85) {
                double pareto = 60_000 / Math.pow(1 - random.nextDouble(), 1 / 2.0);
                long work = Math.round(Math.min(3_000_000, pareto));
                return new Request(work, logNormal(random, 25_000, 1.0));
            }
            return new Request(2_000, logNormal(random, 8_000, 1.5));
        }
    };

    static final double FOR_LOOP_MEAN_MICROS = 100_000;
    static final long FOR_LOOP_BYTES_PER_MILLI = 200;
    static final double FILE_BYTES_PER_SECOND = 4e6;
    static final int MAX_BYTES = 5 * 1024 * 1024;
    private static final int[] FILE_SIZES = {100_000, 200_000, 500_000, 750_000, 1_000_000, 2_000_000, 5_000_000};

    private final String label;

    Workload(String label) {
        this.label = label;
    }

    /** One request: {@code workMicros} of a slot at speed 1, a reply of {@code bytes}. */
    public record Request(long workMicros, int bytes) {
        String path() {
            return "/?work=" + workMicros + "&bytes=" + bytes;
        }
    }

    abstract Request draw(SplittableRandom random);

    public String label() {
        return label;
    }

    /** The mean work per request in seconds at speed 1, estimated from 200,000 draws of a fixed seed. */
    public double meanWorkSeconds() {
        SplittableRandom random = new SplittableRandom(12345);
        double sum = 0;
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            sum += draw(random).workMicros();
        }
        return sum / n / 1e6;
    }

    public static Workload of(String label) {
        return Arrays.stream(values()).filter(w -> w.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("workload: " + label + " (expected: for-loop, file or wiki)"));
    }

    static double exponential(SplittableRandom random, double mean) {
        return -mean * Math.log(1 - random.nextDouble());
    }

    private static int logNormal(SplittableRandom random, double median, double sigma) {
        // Box-Muller: one normal draw from two uniforms.
        double normal = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
        return (int) Math.min(MAX_BYTES, Math.round(median * Math.exp(sigma * normal)));
    }
}
