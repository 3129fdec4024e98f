package dev.fulcrum.proxy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * What a reload did, as {@code POST /api/reload} answers it and the log records it.
 *
 * @param result           {@code ok} (applied; {@code changes} says what changed) or {@code refused}
 *                         (nothing changed; {@code errors} says why)
 * @param checksum         the configuration running after the reload ({@code sha256:...} of its
 *                         normalised form, as {@code fulcrum check-config} prints it)
 * @param previousChecksum the one running before
 * @param changes          what changed; empty when refused or when the file changed nothing
 * @param needsRestart     settings that differ in the new file but only take effect on a restart
 *                         (the rest was applied)
 * @param errors           why a reload was refused: every problem of an invalid file, or the
 *                         listener that could not bind, or the backend that could not be resolved
 * @param durationMillis   how long the reload took
 */
public record ReloadResult(
        String result,
        String checksum,
        String previousChecksum,
        Changes changes,
        List<String> needsRestart,
        List<String> errors,
        long durationMillis) {

    public static final String OK = "ok";
    public static final String REFUSED = "refused";

    @JsonIgnore
    public boolean isOk() {
        return OK.equals(result);
    }

    /** Each entry names what changed ({@code pool/backend}, {@code listener}) and how. */
    public record Changes(
            List<String> listenersAdded,
            List<String> listenersRemoved,
            List<String> listenersRebound,
            List<String> listenersChanged,
            List<String> poolsAdded,
            List<String> poolsRemoved,
            List<String> policiesChanged,
            List<String> healthChecksChanged,
            List<String> backendsAdded,
            List<String> backendsRemoved,
            List<String> backendsReweighted,
            List<String> backendsChanged,
            List<String> otherSettings) {

        static final Changes NONE = new Changes(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

        @JsonIgnore
        public boolean isEmpty() {
            return equals(NONE);
        }
    }
}
