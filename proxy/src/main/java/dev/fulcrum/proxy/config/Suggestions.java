package dev.fulcrum.proxy.config;

import java.util.List;
import java.util.Locale;

/** "Did you mean ...?" for misspelt keys. */
final class Suggestions {

    private static final int MAX_DISTANCE = 2;

    private Suggestions() {
    }

    /**
     * The known word nearest to {@code typed}, or {@code null} when none is within two edits
     * (a transposition counts as one: {@code connectTimout}, {@code maxConections}). Case is
     * ignored, since {@code maxconnections} is the same mistake as a typo. Ties go to the first
     * known word, which lists fields in the order the documentation gives them.
     */
    static String nearest(String typed, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(typed.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            // A short word is within two edits of too much: "ab" is not a misspelling of "key".
            if (d <= MAX_DISTANCE && d < candidate.length() - 1 && d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
