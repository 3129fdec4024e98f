package dev.fulcrum.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.ClientHelloSni.Reason;
import dev.fulcrum.proxy.ClientHelloSni.Result;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/**
 * The ClientHello parser on hellos the JDK's TLS client writes, cut, split across records, mutated
 * and replaced by random bytes: it finds the name when there is one, asks for more while the hello
 * is incomplete, and on anything else gives a reason, never an exception, never a read outside the
 * buffer, never a moved reader index.
 */
class ClientHelloSniTest {

    private static final int MAX = SniPeeker.MAX_BYTES;

    /** The first flight of a JDK TLS client for {@code serverName} ({@code null}: no SNI). */
    static byte[] clientHello(String serverName, String... protocols) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine(serverName == null ? null : serverName, 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
        if (protocols.length > 0) {
            parameters.setProtocols(protocols);
        }
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    private static Result parse(byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            Result result = ClientHelloSni.parse(buf, MAX);
            assertThat(buf.readerIndex()).isZero();
            return result;
        } finally {
            buf.release();
        }
    }

    @Test
    void findsTheNameOfRealHellos() throws Exception {
        assertThat(parse(clientHello("Alpha.Example.com"))).isEqualTo(new Result(Reason.FOUND, "alpha.example.com"));
        assertThat(parse(clientHello("b.example", "TLSv1.2"))).isEqualTo(new Result(Reason.FOUND, "b.example"));
        assertThat(parse(clientHello(null)).reason()).isEqualTo(Reason.NO_SNI);
    }

    @Test
    void everyStrictPrefixNeedsMore() throws Exception {
        byte[] hello = clientHello("prefix.example");
        for (int length = 0; length < hello.length; length++) {
            assertThat(parse(java.util.Arrays.copyOf(hello, length)).reason()).as("prefix %d", length).isEqualTo(Reason.NEED_MORE);
        }
    }

    @Test
    void helloSplitAcrossRecordsIsReassembled() throws Exception {
        byte[] hello = clientHello("split.example");
        int bodyLength = hello.length - 5;
        for (int cut : new int[] {1, 4, 40, bodyLength / 2, bodyLength - 1}) {
            byte[] split = new byte[hello.length + 5];
            System.arraycopy(hello, 0, split, 0, 5 + cut);
            split[3] = (byte) (cut >> 8);
            split[4] = (byte) cut;
            int second = 5 + cut;
            split[second] = 22;
            split[second + 1] = hello[1];
            split[second + 2] = hello[2];
            split[second + 3] = (byte) ((bodyLength - cut) >> 8);
            split[second + 4] = (byte) (bodyLength - cut);
            System.arraycopy(hello, 5 + cut, split, second + 5, bodyLength - cut);
            assertThat(parse(split)).as("cut at %d", cut).isEqualTo(new Result(Reason.FOUND, "split.example"));
        }
    }

    /** Found by the SNI slowloris test: a client that sends more right after its hello (a TLS 1.3 CCS, early data) was "malformed". */
    @Test
    void whatFollowsAWholeHelloDoesNotHideItsName() throws Exception {
        byte[] hello = clientHello("eager.example");
        byte[][] next = {{20, 3, 3, 0, 1, 1}, {23, 3, 3, 0, 2, 9, 9}, {1, 2, 3}, "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)};
        for (byte[] after : next) {
            byte[] both = java.util.Arrays.copyOf(hello, hello.length + after.length);
            System.arraycopy(after, 0, both, hello.length, after.length);
            assertThat(parse(both)).as("followed by %s", java.util.Arrays.toString(after)).isEqualTo(new Result(Reason.FOUND, "eager.example"));
        }
    }

    @Test
    void otherProtocolsAreNotTls() {
        assertThat(parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).reason())
                .isEqualTo(Reason.NOT_TLS);
        assertThat(parse("SSH-2.0-OpenSSH_9.0\r\n".getBytes(StandardCharsets.US_ASCII)).reason()).isEqualTo(Reason.NOT_TLS);
        assertThat(parse(new byte[] {22, 2, 0, 0, 10}).reason()).as("SSLv2-era version").isEqualTo(Reason.NOT_TLS);
        assertThat(parse(new byte[] {22, 3, 1, 0, 4, 2, 0, 0, 0}).reason()).as("a ServerHello").isEqualTo(Reason.NOT_TLS);
    }

    @Test
    void aHelloLongerThanTheBoundIsTooLarge() {
        byte[] header = {22, 3, 1, 0x40, 0, 1, 0, (byte) 0xff, (byte) 0xf0};
        assertThat(parse(header).reason()).isEqualTo(Reason.TOO_LARGE);
    }

    @Test
    void malformedLengthsAreMalformed() throws Exception {
        byte[] hello = clientHello("m.example");
        byte[] zeroRecord = hello.clone();
        zeroRecord[3] = 0;
        zeroRecord[4] = 0;
        assertThat(parse(zeroRecord).reason()).isEqualTo(Reason.MALFORMED);
        byte[] shortBody = hello.clone();
        shortBody[8] = (byte) (shortBody[8] - 1); // handshake length one less than the extensions need
        assertThat(parse(shortBody).reason()).isIn(Reason.MALFORMED, Reason.NO_SNI);
    }

    /** Random bytes after a handshake record header, and random bytes outright: bounded, seeded. */
    @Test
    void fuzzRandomInputs() {
        SplittableRandom random = new SplittableRandom(20261122L);
        for (int i = 0; i < 5_000; i++) {
            byte[] bytes = new byte[random.nextInt(600)];
            random.nextBytes(bytes);
            if (bytes.length > 5 && random.nextBoolean()) {
                bytes[0] = 22;
                bytes[1] = 3;
                bytes[5] = 1;
            }
            checkNeverFails(bytes);
        }
    }

    /** Real hellos with bytes flipped, lengths rewritten, pieces cut or repeated: bounded, seeded. */
    @Test
    void fuzzMutatedHellos() throws Exception {
        byte[][] seeds = {clientHello("fuzz.example"), clientHello(null), clientHello("x.y", "TLSv1.2")};
        SplittableRandom random = new SplittableRandom(42);
        int found = 0;
        for (int i = 0; i < 8_000; i++) {
            byte[] bytes = seeds[random.nextInt(seeds.length)].clone();
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                switch (random.nextInt(4)) {
                    case 0 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                    case 1 -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                    case 2 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                    default -> {
                        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + random.nextInt(64));
                        bytes = longer; // zero padding past the end
                    }
                }
                if (bytes.length == 0) {
                    break;
                }
            }
            Result result = checkNeverFails(bytes);
            found += result.reason() == Reason.FOUND ? 1 : 0;
        }
        assertThat(found).as("most single flips leave the name readable").isGreaterThan(250);
    }

    private static Result checkNeverFails(byte[] bytes) {
        // Direct and composite buffers too: the parser must use only absolute, bounded reads.
        ByteBuf heap = Unpooled.wrappedBuffer(bytes);
        Result result;
        try {
            result = ClientHelloSni.parse(heap, MAX);
            assertThat(heap.readerIndex()).isZero();
        } finally {
            heap.release();
        }
        assertThat(result).isNotNull();
        if (result.reason() == Reason.FOUND) {
            assertThat(result.serverName()).isNotEmpty().hasSizeLessThanOrEqualTo(ClientHelloSni.MAX_NAME);
        } else {
            assertThat(result.serverName()).isNull();
        }
        int half = bytes.length / 2;
        io.netty.buffer.CompositeByteBuf composite = Unpooled.compositeBuffer();
        composite.addComponent(true, Unpooled.wrappedBuffer(bytes, 0, half));
        composite.addComponent(true, Unpooled.directBuffer(bytes.length - half + 1).writeBytes(bytes, half, bytes.length - half));
        try {
            assertThat(ClientHelloSni.parse(composite, MAX)).isEqualTo(result);
        } finally {
            composite.release();
        }
        return result;
    }
}
