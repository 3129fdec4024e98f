package dev.fulcrum.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValueParsersTest {

    @ParameterizedTest
    @CsvSource({"250ms, 250", "2s, 2000", "1.5s, 1500", "5m, 300000", "1h, 3600000", "0s, 0", "'2 s', 2000",
            "0.25s, 250", "1.5ms, -1"})
    void durationsReadAsWholeMilliseconds(String text, long millis) {
        if (millis < 0) {
            assertThatIllegalArgumentException().isThrownBy(() -> ValueParsers.parseDuration(text))
                    .withMessage("a whole number of milliseconds, e.g. 250ms");
        } else {
            assertThat(ValueParsers.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "-1s", "1d", "s", "ms", "1.5", "2 sec", "1e3s", "PT2S", ".5s", "1,5s", "9999999999s"})
    void durationsWithoutAKnownUnitAreRefused(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> ValueParsers.parseDuration(text))
                .withMessage("a duration such as 250ms, 2s, 5m or 1h");
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "1, 1ms", "1500, 1500ms", "90000, 90s", "120000, 2m", "5400000, 90m", "7200000, 2h"})
    void durationsAreWrittenInTheirLargestExactUnit(long millis, String text) {
        assertThat(ValueParsers.formatDuration(Duration.ofMillis(millis))).isEqualTo(text);
        assertThat(ValueParsers.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void subMillisecondDurationsAreWrittenExactlyEvenThoughTheFileRefusesThem() {
        assertThat(ValueParsers.formatDuration(Duration.ofNanos(1_750_000))).isEqualTo("1.75ms");
    }

    @ParameterizedTest
    @CsvSource({"512, 512", "512B, 512", "64KiB, 65536", "1.5MiB, 1572864", "32KB, 32000", "2MB, 2000000",
            "'8 KiB', 8192", "0.5KiB, 512"})
    void sizesReadAsBytes(String text, long bytes) {
        assertThat(ValueParsers.parseSize(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"64kib", "1GiB", "-1", "KiB", "1 K", "64 KiBs"})
    void sizesWithoutAKnownUnitAreRefused(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> ValueParsers.parseSize(text))
                .withMessage("a size in bytes, or a number with a unit B, KiB, MiB, KB or MB, e.g. 64KiB");
    }

    @Test
    void aFractionOfAByteIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ValueParsers.parseSize("0.3B"))
                .withMessage("a whole number of bytes");
    }

    @ParameterizedTest
    @CsvSource({"1, 1B", "1000, 1KB", "1024, 1KiB", "32768, 32KiB", "1048576, 1MiB", "3000000, 3MB", "1500, 1500B",
            "1024000, 1000KiB"})
    void sizesAreWrittenInTheirLargestExactUnit(long bytes, String text) {
        assertThat(ValueParsers.formatSize(bytes)).isEqualTo(text);
        assertThat(ValueParsers.parseSize(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1:8080, 127.0.0.1, 8080", "[::1]:80, ::1, 80", "backend.internal:0, backend.internal, 0",
            "'[fe80::1%eth0]:443', fe80::1%eth0, 443", "[::]:8080, ::, 8080", "my_host-1:70000, my_host-1, 70000"})
    void hostPortsReadWithAnyPortNumber(String text, String host, int port) {
        HostPort parsed = ValueParsers.parseHostPort(text);
        assertThat(parsed).isEqualTo(new HostPort(host, port));
        assertThat(parsed.toString()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", ":80", "host:", "a b:80", "host:80a", "host:-1", "-host:80", "host.:x",
            "host:1234567890", "[::1]", "", "http://host:80"})
    void malformedHostPortsAreRefused(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> ValueParsers.parseHostPort(text))
                .withMessageMatching("host:port, e\\.g\\. 127\\.0\\.0\\.1:8080|\\[address]:port for an IPv6 .*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"::1:80", "[::1]80", "[zz::1]:80", "[1.2.3.4]:80", "fe80::1:443"})
    void ipv6AddressesNeedBrackets(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> ValueParsers.parseHostPort(text))
                .withMessage("[address]:port for an IPv6 address, e.g. [::1]:8080");
    }

    @Test
    void namesStartWithALetterOrDigitAndUseOnlyWordCharactersDotsColonsAndDashes() {
        assertThat(ValueParsers.isName("web")).isTrue();
        assertThat(ValueParsers.isName("0")).isTrue();
        assertThat(ValueParsers.isName("edge.v2:web-1_a")).isTrue();
        assertThat(ValueParsers.isName("")).isFalse();
        assertThat(ValueParsers.isName("-web")).isFalse();
        assertThat(ValueParsers.isName("_web")).isFalse();
        assertThat(ValueParsers.isName("web server")).isFalse();
        assertThat(ValueParsers.isName("web/1")).isFalse();
    }
}
