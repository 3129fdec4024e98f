package dev.fulcrum.proxy.qnet;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Polls children's {@code GET /api/feedback} (Mizutani, Sensors 2022, §3.5), off the event loops:
 * the control thread calls {@link #poll} each tick, which only starts requests (JDK HttpClient on
 * its own daemon thread) and never waits; answers land in a map the next tick reads.
 *
 * <p>Bounded: a URL has at most one request in flight (a child that hangs holds one connection,
 * never a queue of them); an answer must arrive whole within the timeout and be at most
 * {@link #MAX_BODY} bytes; a report older than the stale limit counts as none. A child that dies,
 * hangs or lies costs its own feedback and nothing else.
 */
final class FeedbackPoller implements AutoCloseable {

    static final int MAX_BODY = 64 * 1024;

    /** The latest answer of one URL: a report, or why there is none. */
    record Latest(ChildReport report, String error, long atNanos) {
    }

    /** How one poll ended, for the meters: ok, timeout, error (refused, HTTP status) or invalid (a bad body). */
    interface Outcomes {
        void count(URI url, String result);
    }

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "fulcrum-feedback");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient client;
    private final LongSupplier clock;
    private final Outcomes outcomes;
    private final Map<URI, Boolean> inFlight = new ConcurrentHashMap<>();
    private final Map<URI, Latest> latest = new ConcurrentHashMap<>();

    FeedbackPoller(LongSupplier clock, Outcomes outcomes) {
        this.clock = clock;
        this.outcomes = outcomes;
        this.client = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(1))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Starts a request to each URL that has none in flight; returns at once. */
    void poll(Iterable<URI> urls, Duration timeout) {
        for (URI url : urls) {
            if (inFlight.putIfAbsent(url, Boolean.TRUE) != null) {
                continue;
            }
            HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Accept", "application/json").GET().build();
            CompletableFuture<HttpResponse<byte[]>> exchange;
            try {
                exchange = client.sendAsync(request, info -> limited(info.statusCode()));
            } catch (RuntimeException e) {
                inFlight.remove(url);
                record(url, null, "cannot send: " + e.getMessage(), "error");
                continue;
            }
            // The exchange ends in its own time (then the URL may be polled again); the answer only
            // counts when it came within the timeout, body included.
            exchange.whenComplete((response, failure) -> inFlight.remove(url));
            exchange.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((response, failure) -> {
                if (failure != null) {
                    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    boolean timedOut = cause instanceof TimeoutException || cause instanceof java.net.http.HttpTimeoutException;
                    record(url, null, timedOut ? "no answer within " + timeout.toMillis() + " ms" : String.valueOf(cause),
                            timedOut ? "timeout" : "error");
                } else if (response.statusCode() != 200) {
                    record(url, null, "HTTP " + response.statusCode() + " (expected: 200)", "error");
                } else if (response.body() == null) {
                    record(url, null, "body: more than " + MAX_BODY + " bytes (expected: a small JSON object)", "invalid");
                } else {
                    try {
                        record(url, ChildReport.parse(response.body(), clock.getAsLong()), null, "ok");
                    } catch (IllegalArgumentException e) {
                        record(url, null, e.getMessage(), "invalid");
                    }
                }
            });
        }
    }

    private void record(URI url, ChildReport report, String error, String result) {
        Latest previous = latest.get(url);
        // A failure does not erase a report that is still fresh: staleness decides when it stops counting.
        latest.put(url, report != null || previous == null ? new Latest(report, error, clock.getAsLong())
                : new Latest(previous.report, error, clock.getAsLong()));
        outcomes.count(url, result);
    }

    /** The latest report of {@code url} if it is younger than {@code staleAfter}, else null. */
    ChildReport fresh(URI url, Duration staleAfter) {
        Latest last = latest.get(url);
        if (last == null || last.report == null) {
            return null;
        }
        return clock.getAsLong() - last.report.receivedNanos() <= staleAfter.toNanos() ? last.report : null;
    }

    /** The latest answer of {@code url} (report and/or error), or null before the first one. */
    Latest latest(URI url) {
        return latest.get(url);
    }

    /** A body handler that keeps at most MAX_BODY bytes, and gives null past that. */
    private static HttpResponse.BodySubscriber<byte[]> limited(int status) {
        return HttpResponse.BodySubscribers.fromSubscriber(new LimitedBody(), LimitedBody::bytes);
    }

    private static final class LimitedBody implements Flow.Subscriber<List<ByteBuffer>> {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        private boolean overflow;

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (overflow) {
                    buffer.position(buffer.limit());
                    continue;
                }
                if (out.size() + buffer.remaining() > MAX_BODY) {
                    overflow = true; // the rest is read and dropped, so the exchange still ends
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }

        byte[] bytes() {
            return overflow ? null : out.toByteArray();
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

}
