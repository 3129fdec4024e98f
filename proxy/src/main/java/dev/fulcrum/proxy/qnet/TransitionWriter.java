package dev.fulcrum.proxy.qnet;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Appends q-network transitions to an NDJSON file, one line per (tick, backend that took flows):
 * the state the flows were picked in, the action (backend index), the reward, the next state, and
 * the measurements behind the reward. The trainer ({@code python3 -m fulcrum_training train-q})
 * reads these lines. Runs on the control thread, never an event loop; flushed once a tick.
 */
final class TransitionWriter implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private final Path file;
    private final Writer out;
    private long lines;

    TransitionWriter(Path file) throws IOException {
        this.file = file;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE));
    }

    /** State arrays as the trainer reads them: raw counts, the trainer divides by its flow scale. */
    static Map<String, Object> state(int[] own, int[] others, boolean[] present) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("own", own);
        state.put("others", others);
        int[] flags = new int[present.length];
        for (int k = 0; k < present.length; k++) {
            flags[k] = present[k] ? 1 : 0;
        }
        state.put("present", flags);
        return state;
    }

    /** One transition as an NDJSON line, newline included (the same bytes in the file, the stream and the dataset). */
    static String line(Map<String, Object> transition) {
        try {
            return JSON.writeValueAsString(transition) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a transition of numbers and names did not serialise", e);
        }
    }

    void write(String line) throws IOException {
        out.write(line);
        lines++;
    }

    void flush() throws IOException {
        out.flush();
    }

    Path file() {
        return file;
    }

    long lines() {
        return lines;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
