package dev.fulcrum.balancing;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How Fulcrum's configuration writes durations: a number and a unit ({@code 250ms}, {@code 2s},
 * {@code 1.5s}, {@code 5m}, {@code 1h}), in whole milliseconds, never negative. One notation for the
 * whole file, whether the configuration loader or a policy factory reads the value.
 */
public final class DurationNotation {

    /** What a duration must look like, for error messages. */
    public static final String RULE = "a duration such as 250ms, 2s, 5m or 1h";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,9})?)\\s*(ms|s|m|h)");

    private DurationNotation() {
    }

    /** Parses a duration; the exception's message says what was expected. */
    public static Duration parse(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(RULE);
        }
        long unitMillis = switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            default -> 3_600_000;
        };
        BigDecimal millis = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitMillis));
        if (millis.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("a whole number of milliseconds, e.g. 250ms");
        }
        return Duration.ofMillis(millis.longValueExact());
    }

    /** The largest unit that writes {@code duration} exactly: {@code 5m}, {@code 90s}, {@code 1500ms}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.getNano() % 1_000_000 != 0) {
            // Not representable in the file (it takes whole milliseconds); write it honestly anyway.
            return new BigDecimal(duration.getSeconds()).scaleByPowerOfTen(3)
                    .add(BigDecimal.valueOf(duration.getNano(), 6)).stripTrailingZeros().toPlainString() + "ms";
        }
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1_000 == 0) {
            return millis / 1_000 + "s";
        }
        return millis + "ms";
    }
}
