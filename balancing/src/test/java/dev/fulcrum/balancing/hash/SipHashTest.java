package dev.fulcrum.balancing.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SipHashTest {

    private static byte[] countingBytes(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    @Test
    void sipHash24MatchesThePapersExample() {
        // SipHash paper, appendix A: key 00 01 .. 0f, message 00 01 .. 0e.
        long k0 = 0x0706050403020100L;
        long k1 = 0x0f0e0d0c0b0a0908L;
        assertThat(SipHash.hash(k0, k1, countingBytes(15), 2, 4)).isEqualTo(0xa129ca6149be45e5L);
    }

    @Test
    void roundCountsBelowOneAreRejected() {
        assertThatThrownBy(() -> SipHash.hash(0, 0, new byte[1], 0, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("compressionRounds: 0 (expected: >= 1)");
        assertThatThrownBy(() -> SipHash.hash(0, 0, new byte[1], 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("finalizationRounds: 0 (expected: >= 1)");
    }
}
