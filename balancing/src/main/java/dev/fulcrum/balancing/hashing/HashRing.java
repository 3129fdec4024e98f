package dev.fulcrum.balancing.hashing;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;

/**
 * A consistent-hash table, seen as a preference sequence of backends for each key: the key's own
 * backend first, then where the key goes when that one cannot take it. "Ring" in the broad sense:
 * Karger's ring, a Maglev lookup table, jump hash and rendezvous hashing all have one.
 *
 * <table>
 *   <caption>the sequence of each table</caption>
 *   <tr><th>table</th><th>cursor</th><th>next candidate</th></tr>
 *   <tr><td>ring hash</td><td>ring entry</td><td>the next entry clockwise of another backend</td></tr>
 *   <tr><td>Maglev</td><td>table slot</td><td>the next slot</td></tr>
 *   <tr><td>rendezvous</td><td>backend index</td><td>the backend with the next lower score</td></tr>
 *   <tr><td>jump hash</td><td>attempt number</td><td>jump hash of the key rehashed with the number</td></tr>
 * </table>
 *
 * <p>The sequence is walked with an {@code int} cursor rather than asked for its i-th element so
 * that each step stays cheap: the i-th backend of a rendezvous order costs O(backends x i) from
 * scratch, the step from the previous one O(backends).
 *
 * <h2>Threading</h2>
 * A table is built once, off the data plane, and never changes: every method may be called by all
 * event loops at once, and none may block, lock or allocate. Callers never call them on an empty
 * set (check {@link BackendSet#isEmpty()} first). Keys are 64-bit hashes already mixed by the
 * caller ({@link HashingPolicy} rehashes a flow's key with the configured hash function).
 */
public interface HashRing {

    /** The backends the table was built from; {@link BackendState#index()} indexes them. */
    BackendSet backends();

    /** The cursor of the key's first choice. */
    int first(long key);

    /** The cursor after {@code cursor} in the key's sequence; after the last one, the first again. */
    int next(long key, int cursor);

    /** The backend at a cursor of the key's sequence. */
    BackendState at(long key, int cursor);

    /**
     * How many steps a key's sequence takes before it repeats itself ({@link Integer#MAX_VALUE} when
     * it never does); a walk needs no more probes than this. Not a count of distinct backends: a
     * ring or a Maglev table visits a backend many times per period.
     */
    int period();
}
