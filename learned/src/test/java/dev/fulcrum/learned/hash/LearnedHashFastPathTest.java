package dev.fulcrum.learned.hash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.balancing.Backend;
import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.Policies;
import dev.fulcrum.balancing.PolicyConfig;
import dev.fulcrum.balancing.hashing.HashingPolicy;
import dev.fulcrum.learned.Fixtures;
import dev.fulcrum.learned.ModelRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fast pick (interleaved grid, indexed ring, per-bucket arc table) gives exactly the backend of
 * the reference path: the grid lookup and ring search as they were written before (two arrays and a
 * binary search, copied here), on random keys and on the keys where an answer changes: grid-cell
 * boundaries, bucket edges, and keys whose position sits on an arc edge.
 */
class LearnedHashFastPathTest {

    @AfterEach
    void forget() {
        ModelRegistry.global().close();
    }

    private static LearnedHashPolicy policy(int servers, String fixture) {
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            backends.add(new Backend("b" + i, "127.0.0.1", 9000 + i, 1, 0));
        }
        return (LearnedHashPolicy) Policies.create(BackendSet.of(backends),
                new PolicyConfig("learned-hash", Map.of("model", Fixtures.model(fixture).toString())), null);
    }

    /** The grid lookup as it was: separate x and y arrays, bucket table, binary search. */
    private static double referencePosition(CompiledLearnedHash model, double u) {
        int n = model.gridPoints();
        if (!(u > 0)) {
            return model.gridY(0);
        }
        if (u >= 1) {
            return model.gridY(n - 1);
        }
        int bucket = (int) (u * CompiledLearnedHash.BUCKETS);
        int low = model.bucketStart(bucket);
        int high = model.bucketStart(bucket + 1) + 1;
        while (high - low > 1) {
            int mid = (low + high) >>> 1;
            if (model.gridX(mid) <= u) {
                low = mid;
            } else {
                high = mid;
            }
        }
        double x0 = model.gridX(low);
        double x1 = model.gridX(low + 1);
        double t = (u - x0) / (x1 - x0);
        return model.gridY(low) + (model.gridY(low + 1) - model.gridY(low)) * t;
    }

    /** The ring search as it was: binary search over the points, wrapping to the first. */
    private static int referenceFirst(long[] points, long position) {
        int low = 0;
        int high = points.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (points[mid] < position) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low == points.length ? 0 : low;
    }

    /** The backend of a raw key by the reference path (HashingPolicy's first probe, everything usable). */
    private static BackendState reference(LearnedHashPolicy policy, Flow flow) {
        CompiledLearnedHash model = policy.slot().compiled();
        double encoded = model.encoding().encode(flow.rawKey());
        double position = Double.isNaN(encoded) ? Double.NaN : referencePosition(model, (encoded - model.keyMin()) * model.keyScale());
        long key = Double.isNaN(position) ? flow.keyHash() >>> 2 : LearnedHashFunction.scaled(position);
        return policy.ring().at(0, referenceFirst(policy.ring().points(), key));
    }

    /** Raw keys around the places where the answer changes, plus random ones. */
    private static List<Double> keys(CompiledLearnedHash model, LearnedHashRing ring) {
        List<Double> us = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            us.add((Math.exp(random.nextGaussian()) - model.keyMin()) * model.keyScale()); // where the keys live
            us.add(random.nextDouble(-0.05, 1.05)); // anywhere, tails and both clamps included
        }
        for (int i = 0; i < model.gridPoints(); i += Math.max(1, model.gridPoints() / 20_000)) { // cell boundaries
            double x = model.gridX(i);
            us.add(x);
            us.add(Math.nextUp(x));
            us.add(Math.nextDown(x));
        }
        for (int b = 0; b <= CompiledLearnedHash.BUCKETS; b += 3) { // bucket edges
            double edge = (double) b / CompiledLearnedHash.BUCKETS;
            us.add(edge);
            us.add(Math.nextDown(edge));
        }
        for (long point : ring.points()) { // arc edges: the keys whose position crosses a server's point
            double target = (double) point / LearnedHashRing.SCALE;
            for (int i = 0; i + 1 < model.gridPoints(); i++) {
                double y0 = model.gridY(i);
                double y1 = model.gridY(i + 1);
                if ((y0 - target) * (y1 - target) <= 0 && y0 != y1) {
                    double low = model.gridX(i);
                    double high = model.gridX(i + 1);
                    for (int step = 0; step < 80; step++) { // bisect to the crossing
                        double mid = (low + high) / 2;
                        if ((referencePosition(model, mid) < target) == (y0 < target)) {
                            low = mid;
                        } else {
                            high = mid;
                        }
                    }
                    double u = low;
                    for (int k = 0; k < 8; k++) {
                        us.add(u);
                        us.add(high);
                        u = Math.nextDown(u);
                        high = Math.nextUp(high);
                    }
                }
            }
        }
        List<Double> raw = new ArrayList<>();
        for (double u : us) {
            raw.add(model.keyMin() + u / model.keyScale());
            raw.add(u); // as it is (a raw key of that value), too
        }
        return raw;
    }

    @Test
    void theGridLookupIsTheReferenceOneExactly() {
        LearnedHashPolicy policy = policy(64, "learned-hash.onnx");
        CompiledLearnedHash model = policy.slot().compiled();
        for (double raw : keys(model, policy.ring())) {
            double u = (raw - model.keyMin()) * model.keyScale();
            assertThat(model.positionOfNormalised(u)).as("u = %s", u).isEqualTo(referencePosition(model, u));
        }
    }

    @Test
    void theIndexedRingIsTheBinarySearchExactly() {
        SplittableRandom random = new SplittableRandom(3);
        for (int n : new int[] {1, 2, 3, 16, 64, 1000}) {
            List<Backend> backends = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                backends.add(new Backend("b" + i, "127.0.0.1", 9000 + i, 1 + (i % 3 == 0 ? 5 : 0), 0));
            }
            LearnedHashRing ring = LearnedHashRing.place(BackendSet.of(backends), null);
            List<Backend> changed = new ArrayList<>(backends.subList(0, Math.max(1, n / 2)));
            for (int i = 0; i < 7; i++) { // new servers split the largest arcs: points cluster
                changed.add(new Backend("new" + i, "127.0.0.1", 9500 + i, 1, 0));
            }
            for (LearnedHashRing r : List.of(ring, LearnedHashRing.place(BackendSet.of(changed), ring))) {
                long[] points = r.points();
                List<Long> positions = new ArrayList<>(List.of(0L, 1L, LearnedHashRing.SCALE - 1));
                for (long point : points) {
                    positions.add(point);
                    positions.add(point - 1);
                    positions.add(point + 1);
                }
                for (int i = 0; i < 1 << 20; i += 97) {
                    positions.add((long) i << 42); // slice edges of the index (at most 2^20 slices)
                }
                for (int i = 0; i < 50_000; i++) {
                    positions.add(random.nextLong(LearnedHashRing.SCALE));
                }
                for (long position : positions) {
                    if (position >= 0 && position < LearnedHashRing.SCALE) {
                        assertThat(r.first(position)).as("n = %d, position %d", n, position).isEqualTo(referenceFirst(points, position));
                    }
                }
            }
        }
    }

    @Test
    void fastPicksAreTheReferencePicksOnRandomAndBoundaryKeys() {
        for (int servers : new int[] {64, 7}) {
            for (String fixture : new String[] {"learned-hash.onnx", "learned-hash-v2.onnx"}) {
                LearnedHashPolicy policy = policy(servers, fixture);
                assertThat(policy.table()).isNotNull();
                assertThat(policy.table().model).isSameAs(policy.slot().compiled());
                // The fast path is the common one: few buckets straddle an arc edge.
                assertThat(policy.table().undecidedBuckets()).isLessThan(CompiledLearnedHash.BUCKETS / 10);
                SplittableRandom random = new SplittableRandom(11);
                for (double raw : keys(policy.slot().compiled(), policy.ring())) {
                    Flow flow = new Flow(random.nextLong(), raw, null);
                    assertThat(policy.pick(flow)).as("%s, %d servers, key %s", fixture, servers, raw).isSameAs(reference(policy, flow));
                }
                ModelRegistry.global().close();
            }
        }
    }

    @Test
    void retriesDrainedAndUnreadableKeysGiveWhatTheRingsHashingPolicyGives() {
        LearnedHashPolicy policy = policy(16, "learned-hash.onnx");
        HashingPolicy plain = new HashingPolicy(policy.ring(), new LearnedHashFunction(policy.slot(), new KeyTap(1024)));
        KeyTap tap = DriftMonitors.global().monitor(policy.slot()).tap();
        SplittableRandom random = new SplittableRandom(5);
        List<Flow> flows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            Object raw = i % 50 == 0 ? "not a number" : Math.exp(random.nextGaussian());
            flows.add(new Flow(random.nextLong(), raw, null));
        }
        long written = tap.written();
        for (Flow flow : flows) {
            assertThat(policy.pick(flow)).isSameAs(plain.pick(flow));
        }
        // One tap record per first pick of a readable key, on either path.
        assertThat(tap.written() - written).isEqualTo(flows.stream().filter(f -> f.rawKey() instanceof Double).count());
        policy.ring().backends().get(3).setDraining(true);
        for (Flow flow : flows) {
            BackendState picked = policy.pick(flow);
            assertThat(picked).isSameAs(plain.pick(flow));
            assertThat(picked.backend().name()).isNotEqualTo("b3");
            flow.markTried(picked);
            assertThat(policy.pick(flow)).isSameAs(plain.pick(flow)).isNotSameAs(picked);
        }
    }
}
