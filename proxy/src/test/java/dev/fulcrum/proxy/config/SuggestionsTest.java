package dev.fulcrum.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

    private static final List<String> LISTENER = ListenerReader.LISTENER_FIELDS;

    @Test
    void aTypoWithinTwoEditsFindsTheField() {
        assertThat(Suggestions.nearest("connectTimout", LISTENER)).isEqualTo("connectTimeout");
        assertThat(Suggestions.nearest("maxConections", LISTENER)).isEqualTo("maxConnections");
        assertThat(Suggestions.nearest("idelTimeout", LISTENER)).as("a swap is one edit").isEqualTo("idleTimeout");
        assertThat(Suggestions.nearest("bnid", LISTENER)).isEqualTo("bind");
    }

    @Test
    void caseIsIgnored() {
        assertThat(Suggestions.nearest("MAXCONNECTIONS", LISTENER)).isEqualTo("maxConnections");
    }

    @Test
    void nothingIsSuggestedForAWordFarFromEveryField() {
        assertThat(Suggestions.nearest("timeout", LISTENER)).isNull();
        assertThat(Suggestions.nearest("backends", LISTENER)).isNull();
        assertThat(Suggestions.nearest("ab", LISTENER)).as("short words are near everything short").isNull();
    }

    @Test
    void theNearestOfSeveralCloseFieldsWins() {
        assertThat(Suggestions.nearest("connectAttempt", LISTENER)).isEqualTo("connectAttempts");
    }

    @Test
    void distanceCountsInsertionsDeletionsSubstitutionsAndSwaps() {
        assertThat(Suggestions.distance("pool", "pool")).isZero();
        assertThat(Suggestions.distance("pol", "pool")).isEqualTo(1);
        assertThat(Suggestions.distance("poool", "pool")).isEqualTo(1);
        assertThat(Suggestions.distance("poll", "pool")).isEqualTo(1);
        assertThat(Suggestions.distance("opol", "pool")).isEqualTo(1);
        assertThat(Suggestions.distance("", "key")).isEqualTo(3);
    }
}
