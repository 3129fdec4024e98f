package dev.fulcrum.learned;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;

/**
 * The process-wide ONNX Runtime environment and the options every session gets: one intra-op and
 * one inter-op thread, no spinning, sequential execution. Models are small and run on the control
 * thread or the model loader, never on an event loop; spinning threads would steal the cores the
 * event loops need.
 */
public final class OnnxRuntimes {

    private OnnxRuntimes() {
    }

    /** The one environment (ONNX Runtime allows one per process); loads the native library on first use. */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    static OrtSession.SessionOptions sessionOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        options.addConfigEntry("session.inter_op.allow_spinning", "0");
        // A model that fails to load is reported by the loader, naming the file and the reason ONNX
        // Runtime gave (its exception); the runtime's own log line on stderr would only repeat it.
        options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
        return options;
    }
}
