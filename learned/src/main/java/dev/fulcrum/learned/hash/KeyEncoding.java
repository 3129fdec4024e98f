package dev.fulcrum.learned.hash;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The input stage of the DLB hierarchy (Zhu et al., IEEE CLOUD 2021, III-A1): a flow's raw key as
 * one number, order-preserving, so that a model can learn where keys crowd. The trainer
 * ({@code fulcrum_training/keys.py}) encodes exactly the same way; the model's
 * {@code fulcrum.keyEncoding} says which one it was trained with.
 *
 * <ul>
 *   <li>{@code number}: a numeric key as it is (the paper's double keys).</li>
 *   <li>{@code address}: an IPv4 address as its 32-bit value; an IPv6 address as its first 52
 *       bits / 2^20, so both families share [0, 2^32) and nearby addresses stay nearby.</li>
 *   <li>{@code host}: a host name (TLS SNI), case-folded, its first 10 characters as digits of
 *       radix 39 over end &lt; '-' &lt; '.' &lt; '0'..'9' &lt; 'a'..'z' (another character counts as
 *       the nearest symbol below it). 39^10 &lt; 2^53, so the number is exact; names sharing a
 *       10-character prefix share a position (one hot key for the bounded-load wrapper).</li>
 * </ul>
 * A key the encoding cannot read (an unresolved name where an address is expected) encodes to NaN,
 * and the policy places it by the flow's ordinary hash instead. Encoding never allocates for IPv4
 * addresses, numbers and names (an IPv6 address is copied once), and never resolves a name.
 */
public enum KeyEncoding {
    NUMBER, ADDRESS, HOST;

    private static final String HOST_ALPHABET = "-.0123456789abcdefghijklmnopqrstuvwxyz";
    static final int HOST_RADIX = HOST_ALPHABET.length() + 1;
    static final int HOST_CHARS = 10;
    private static final byte[] HOST_DIGITS = hostDigits();

    /** {@code number}, {@code address}, {@code host}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static KeyEncoding byLabel(String label) {
        for (KeyEncoding encoding : values()) {
            if (encoding.label().equals(label)) {
                return encoding;
            }
        }
        return null;
    }

    /** The key as a number, or NaN when this encoding cannot read it. */
    public double encode(Object raw) {
        switch (this) {
            case NUMBER:
                return raw instanceof Number n ? n.doubleValue() : Double.NaN;
            case ADDRESS:
                if (raw instanceof InetSocketAddress socket) {
                    raw = socket.getAddress();
                }
                if (raw instanceof InetAddress address) {
                    return address(address);
                }
                return raw instanceof Number n ? n.doubleValue() : Double.NaN;
            default:
                return raw instanceof CharSequence name ? host(name) : Double.NaN;
        }
    }

    static double address(InetAddress address) {
        if (address instanceof Inet4Address) {
            // Inet4Address.hashCode() is the address itself (specified since JDK 1.0): no copy of its bytes.
            return address.hashCode() & 0xFFFF_FFFFL;
        }
        byte[] bytes = address.getAddress(); // IPv6: a 16-byte copy per pick, the one allocation of the learned hash
        long top = 0;
        for (int i = 0; i < 8; i++) {
            top = (top << 8) | (bytes[i] & 0xFFL);
        }
        return (double) (top >>> 12) / (1 << 20);
    }

    static double host(CharSequence name) {
        long total = 0;
        for (int i = 0; i < HOST_CHARS; i++) {
            total = total * HOST_RADIX + (i < name.length() ? hostDigit(name.charAt(i)) : 0);
        }
        return total;
    }

    static int hostDigit(char c) {
        return c < 128 ? HOST_DIGITS[c] : HOST_ALPHABET.length();
    }

    private static byte[] hostDigits() {
        byte[] digits = new byte[128];
        for (char c = 0; c < 128; c++) {
            char lower = Character.toLowerCase(c);
            int index = HOST_ALPHABET.indexOf(lower);
            if (index < 0) {
                index = -1;
                for (int i = 0; i < HOST_ALPHABET.length(); i++) {
                    if (HOST_ALPHABET.charAt(i) < lower) {
                        index = i;
                    }
                }
                index = Math.max(index, 0);
            }
            digits[c] = (byte) (index + 1);
        }
        return digits;
    }
}
