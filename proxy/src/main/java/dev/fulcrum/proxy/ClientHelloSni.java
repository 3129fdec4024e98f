package dev.fulcrum.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Finds the server name (SNI, RFC 6066 §3) in a TLS ClientHello (RFC 8446 §4.1.2, and the
 * TLS 1.0-1.2 layout, which is the same up to the extensions) without consuming a byte: the proxy
 * relays the hello untouched, so it only looks.
 *
 * <p>Why not Netty's {@code SslClientHelloHandler}/{@code AbstractSniHandler}: they peek without
 * consuming too, but a hello above their limit or an alert record with a bad length fails the
 * pipeline and closes the connection (so does the handshake timeout), where a keyed listener must
 * fall back to the client's address and relay the bytes; and {@code lookup(null)} does not say why
 * no name was found, which the fallback counter reports.
 *
 * <p>The hello may span several TLS records (a large one, with post-quantum key shares, does): the
 * handshake message is reassembled from consecutive handshake records, reading at most
 * {@code maxBytes} of the buffer. Every length is checked against its container before it is
 * used, so no input makes it read out of bounds, loop, or allocate more than the name itself.
 */
final class ClientHelloSni {

    /** What the bytes so far say. {@link #NEED_MORE} is the only undecided one. */
    enum Reason {
        FOUND("found"),
        NEED_MORE("need_more"),
        NOT_TLS("not_tls"),
        MALFORMED("malformed"),
        NO_SNI("no_sni"),
        TOO_LARGE("too_large"),
        TRUNCATED("truncated"),
        TIMEOUT("timeout");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        String tag() {
            return tag;
        }
    }

    /** The outcome: a reason, and the host name (lower case) when it is {@link Reason#FOUND}. */
    record Result(Reason reason, String serverName) {
        static final Result NEED_MORE = new Result(Reason.NEED_MORE, null);
    }

    private static final int RECORD_HEADER = 5;
    private static final int CONTENT_HANDSHAKE = 22;
    private static final int HANDSHAKE_CLIENT_HELLO = 1;
    private static final int EXTENSION_SERVER_NAME = 0;
    private static final int NAME_TYPE_HOST = 0;
    private static final int MAX_RECORD = (1 << 14) + 2048;
    /** RFC 1035's limit on a host name. */
    static final int MAX_NAME = 255;

    private ClientHelloSni() {
    }

    /** Reads {@code buf}'s readable bytes (indexes untouched) for the hello's server name. */
    static Result parse(ByteBuf buf, int maxBytes) {
        int start = buf.readerIndex();
        int end = buf.writerIndex();
        if (end - start < 1) {
            return Result.NEED_MORE;
        }
        if (buf.getUnsignedByte(start) != CONTENT_HANDSHAKE) {
            return new Result(Reason.NOT_TLS, null);
        }
        // Reassemble the handshake message's first bytes across records into a flat view: the
        // message body is read through message(), which maps an offset to its record.
        Records records = new Records(buf, start, Math.min(end, start + maxBytes));
        Result framing = records.scan();
        if (framing != null) {
            return framing;
        }
        if (records.length < 4) {
            return records.moreMayCome ? needMoreOrTooLarge(end - start, maxBytes) : new Result(Reason.MALFORMED, null);
        }
        if (records.at(0) != HANDSHAKE_CLIENT_HELLO) {
            return new Result(Reason.NOT_TLS, null);
        }
        int bodyLength = (records.at(1) << 16) | (records.at(2) << 8) | records.at(3);
        if (4 + bodyLength > records.length) {
            if (4 + bodyLength + RECORD_HEADER > maxBytes) {
                return new Result(Reason.TOO_LARGE, null);
            }
            return records.moreMayCome ? Result.NEED_MORE : new Result(Reason.MALFORMED, null);
        }
        return hello(records, 4, 4 + bodyLength);
    }

    private static Result needMoreOrTooLarge(int have, int maxBytes) {
        return have >= maxBytes ? new Result(Reason.TOO_LARGE, null) : Result.NEED_MORE;
    }

    /** The ClientHello body from {@code p} to {@code end} of the reassembled message. */
    private static Result hello(Records m, int p, int end) {
        p += 2 + 32; // legacy_version, random
        if (p + 1 > end) {
            return malformed();
        }
        p += 1 + m.at(p); // legacy_session_id
        if (p + 2 > end) {
            return malformed();
        }
        p += 2 + m.u16(p); // cipher_suites
        if (p + 1 > end) {
            return malformed();
        }
        p += 1 + m.at(p); // legacy_compression_methods
        if (p == end) {
            return new Result(Reason.NO_SNI, null); // TLS 1.0 hellos may have no extensions at all
        }
        if (p + 2 > end) {
            return malformed();
        }
        int extensionsEnd = p + 2 + m.u16(p);
        if (extensionsEnd > end) {
            return malformed();
        }
        p += 2;
        while (p + 4 <= extensionsEnd) {
            int type = m.u16(p);
            int length = m.u16(p + 2);
            p += 4;
            if (p + length > extensionsEnd) {
                return malformed();
            }
            if (type == EXTENSION_SERVER_NAME) {
                return serverName(m, p, p + length);
            }
            p += length;
        }
        return p == extensionsEnd ? new Result(Reason.NO_SNI, null) : malformed();
    }

    private static Result serverName(Records m, int p, int end) {
        if (p + 2 > end) {
            return malformed();
        }
        int listEnd = p + 2 + m.u16(p);
        if (listEnd > end) {
            return malformed();
        }
        p += 2;
        while (p + 3 <= listEnd) {
            int type = m.at(p);
            int length = m.u16(p + 1);
            p += 3;
            if (p + length > listEnd) {
                return malformed();
            }
            if (type == NAME_TYPE_HOST) {
                if (length == 0 || length > MAX_NAME) {
                    return malformed();
                }
                byte[] name = new byte[length];
                for (int i = 0; i < length; i++) {
                    int c = m.at(p + i);
                    // RFC 6066: ASCII host name, no trailing dot; refuse what could not be one.
                    if (c <= 0x20 || c >= 0x7f) {
                        return malformed();
                    }
                    name[i] = (byte) c;
                }
                return new Result(Reason.FOUND, new String(name, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT));
            }
            p += length;
        }
        return new Result(Reason.NO_SNI, null);
    }

    private static Result malformed() {
        return new Result(Reason.MALFORMED, null);
    }

    /**
     * The handshake records at the start of the buffer, seen as one message: up to 8 records (a
     * hello fits in one or two; more within the byte bound would be an attack on the parser).
     */
    private static final class Records {
        private static final int MAX_RECORDS = 8;
        private final ByteBuf buf;
        private final int start;
        private final int end;
        private final int[] bodyStart = new int[MAX_RECORDS];
        private final int[] bodyLength = new int[MAX_RECORDS];
        private int count;
        /** Message bytes available across the records seen so far. */
        int length;
        /** The last record is incomplete, or the bytes end on a record boundary (more may follow). */
        boolean moreMayCome;

        Records(ByteBuf buf, int start, int end) {
            this.buf = buf;
            this.start = start;
            this.end = end;
        }

        /** Walks the record headers; a decided result when the framing itself is wrong. */
        Result scan() {
            int p = start;
            while (p < end) {
                if (count == MAX_RECORDS) {
                    return new Result(Reason.TOO_LARGE, null);
                }
                if (p + RECORD_HEADER > end) {
                    moreMayCome = true;
                    return null;
                }
                if (buf.getUnsignedByte(p) != CONTENT_HANDSHAKE) {
                    // A record of another type before the hello is whole.
                    return count == 0 ? new Result(Reason.NOT_TLS, null) : malformed();
                }
                int major = buf.getUnsignedByte(p + 1);
                if (major != 3) {
                    return new Result(Reason.NOT_TLS, null);
                }
                int recordLength = buf.getUnsignedShort(p + 3);
                if (recordLength == 0 || recordLength > MAX_RECORD) {
                    return malformed();
                }
                int available = Math.min(recordLength, end - p - RECORD_HEADER);
                bodyStart[count] = p + RECORD_HEADER;
                bodyLength[count] = available;
                count++;
                length += available;
                if (available < recordLength) {
                    moreMayCome = true;
                    return null;
                }
                p += RECORD_HEADER + recordLength;
                if (length >= 4 && length >= 4 + ((at(1) << 16) | (at(2) << 8) | at(3))) {
                    // The handshake message is whole: what follows is the client's next flight (a
                    // TLS 1.3 ChangeCipherSpec, early data, bytes sent without waiting), not the hello.
                    return null;
                }
            }
            moreMayCome = true;
            return null;
        }

        /** The message byte at {@code offset} (callers check {@code offset < length}). */
        int at(int offset) {
            if (offset >= length) {
                return 0; // never reached for a checked offset; keeps a bad caller in bounds
            }
            for (int r = 0; r < count; r++) {
                if (offset < bodyLength[r]) {
                    return buf.getUnsignedByte(bodyStart[r] + offset);
                }
                offset -= bodyLength[r];
            }
            return 0;
        }

        int u16(int offset) {
            return (at(offset) << 8) | at(offset + 1);
        }
    }
}
