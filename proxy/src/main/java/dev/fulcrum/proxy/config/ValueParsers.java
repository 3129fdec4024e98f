package dev.fulcrum.proxy.config;

import dev.fulcrum.balancing.DurationNotation;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats the scalar notations of the file: durations, sizes, host:port and names.
 * Each parser throws {@link IllegalArgumentException} whose message is what was expected, so the
 * caller can report {@code <found> (expected: <message>)}; {@link ConfigWriter} uses the formatters,
 * and every formatted value parses back to the same value.
 */
public final class ValueParsers {

    static final String NAME_RULE = "a name of letters, digits and _ . : -, starting with a letter or digit";
    static final String DURATION_RULE = DurationNotation.RULE;
    static final String SIZE_RULE = "a size in bytes, or a number with a unit B, KiB, MiB, KB or MB, e.g. 64KiB";
    static final String HOST_PORT_RULE = "host:port, e.g. 127.0.0.1:8080";
    static final String IPV6_RULE = "[address]:port for an IPv6 address, e.g. [::1]:8080";

    static final long KIB = 1024;
    static final long MIB = 1024 * 1024;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]*");
    // The integer part is bounded so that the largest value still fits a Duration or an int once
    // multiplied: anything that long is out of every field's range anyway.
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12}(?:\\.\\d{1,9})?)\\s*(B|KiB|MiB|KB|MB)?");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");
    private static final Pattern PORT = Pattern.compile("\\d{1,9}");

    private ValueParsers() {
    }

    static boolean isName(String text) {
        return NAME.matcher(text).matches();
    }

    /** {@code 250ms}, {@code 2s}, {@code 1.5s}, {@code 5m}, {@code 1h}: see {@link DurationNotation}. */
    static Duration parseDuration(String text) {
        return DurationNotation.parse(text);
    }

    /** The largest unit that writes {@code duration} exactly: see {@link DurationNotation#format}. */
    public static String formatDuration(Duration duration) {
        return DurationNotation.format(duration);
    }

    /** Bytes: {@code 65536}, {@code 64KiB}, {@code 1.5MiB}, {@code 32KB} (1000-based), {@code 512B}. */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(SIZE_RULE);
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        long multiplier = switch (unit) {
            case "KiB" -> KIB;
            case "MiB" -> MIB;
            case "KB" -> 1_000;
            case "MB" -> 1_000_000;
            default -> 1;
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(multiplier));
        if (bytes.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("a whole number of bytes");
        }
        return bytes.longValueExact();
    }

    /** The binary unit when it is exact, then the decimal one, else bytes: {@code 32KiB}, {@code 1MB}, {@code 100B}. */
    static String formatSize(long bytes) {
        if (bytes != 0 && bytes % MIB == 0) {
            return bytes / MIB + "MiB";
        }
        if (bytes != 0 && bytes % KIB == 0) {
            return bytes / KIB + "KiB";
        }
        if (bytes != 0 && bytes % 1_000_000 == 0) {
            return bytes / 1_000_000 + "MB";
        }
        if (bytes != 0 && bytes % 1_000 == 0) {
            return bytes / 1_000 + "KB";
        }
        return bytes + "B";
    }

    /**
     * {@code host:port} or {@code [v6]:port}. The port is any number here: callers check its range,
     * which differs between listening (0 allowed) and connecting.
     */
    static HostPort parseHostPort(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException(IPV6_RULE);
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            if (!IPV6.matcher(host).matches()) {
                throw new IllegalArgumentException(IPV6_RULE);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(HOST_PORT_RULE);
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                // Without brackets an IPv6 address cannot be told apart from its port.
                throw new IllegalArgumentException(IPV6_RULE);
            }
            if (!HOST.matcher(host).matches()) {
                throw new IllegalArgumentException(HOST_PORT_RULE);
            }
        }
        if (!PORT.matcher(port).matches()) {
            throw new IllegalArgumentException(HOST_PORT_RULE);
        }
        return new HostPort(host, Integer.parseInt(port));
    }
}
