package dev.fulcrum.loadtest.testbed;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every backend's full ground truth (busy, queue, utilisation, served) every tick, into a CSV of
 * its own: Fulcrum's dataset carries one ground-truth number per row (busy, from each backend's
 * stats endpoint), the analysis joins the others by backend and nearest timestamp.
 */
final class TruthRecorder implements AutoCloseable {

    static final String HEADER = "timestamp,backend,slots,speed,busy,queue,utilisation,served,rejected";

    private final List<EmulatedBackend> backends;
    private final BufferedWriter out;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "testbed-truth");
        thread.setDaemon(true);
        return thread;
    });

    TruthRecorder(List<EmulatedBackend> backends, Path csv, long tickMillis) throws IOException {
        this.backends = backends;
        this.out = Files.newBufferedWriter(csv);
        out.write(HEADER);
        out.newLine();
        timer.scheduleAtFixedRate(this::record, 0, tickMillis, TimeUnit.MILLISECONDS);
    }

    private void record() {
        long now = System.currentTimeMillis();
        try {
            for (EmulatedBackend backend : backends) {
                BackendStats s = backend.stats();
                out.write(String.format(Locale.ROOT, "%d,%s,%d,%s,%d,%d,%.4f,%d,%d", now, s.name(), s.slots(), s.speed(),
                        s.busy(), s.queue(), s.utilisation(), s.served(), s.rejected()));
                out.newLine();
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        timer.shutdown();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.close();
    }
}
