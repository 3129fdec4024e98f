package dev.fulcrum.proxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Makes a Netty buffer leak fail the tests instead of printing a log line nobody reads.
 *
 * <p>Installed as a JUnit launcher-session listener, so it replaces Netty's leak-detector factory
 * before any test touches a buffer. {@link LeakCheckExtension} (auto-detected, on every test class)
 * forces the collector to find unreleased buffers after each class and fails it on a report.
 * Surefire runs with {@code -Dio.netty.leakDetection.level=paranoid}: every buffer is tracked.
 */
public final class LeakDetection implements LauncherSessionListener {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    /** Runs the collector and allocates, so Netty reports what was leaked; returns and clears the reports. */
    static List<String> collectLeaks() throws InterruptedException {
        for (int round = 0; round < 4; round++) {
            System.gc();
            Thread.sleep(25);
            for (int i = 0; i < 64; i++) {
                ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(64);
                probe.release();
                ByteBuf heap = ByteBufAllocator.DEFAULT.heapBuffer(64);
                heap.release();
            }
        }
        List<String> found = new ArrayList<>(LEAKS);
        LEAKS.clear();
        return found;
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return new ResourceLeakDetector<>(resource, samplingInterval) {
                @Override
                protected boolean needReport() {
                    return true;
                }

                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    LEAKS.add("LEAK: " + resourceType + records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    LEAKS.add("LEAK (untraced): " + resourceType);
                }
            };
        }
    }
}
