package dev.fulcrum.balancing.hashing;

import static dev.fulcrum.balancing.hashing.HashingProperties.KEYS;
import static dev.fulcrum.balancing.hashing.HashingProperties.SEED;

import dev.fulcrum.balancing.BackendSet;
import dev.fulcrum.balancing.BackendState;
import dev.fulcrum.balancing.BalancingPolicy;
import dev.fulcrum.balancing.TestBackends;
import dev.fulcrum.balancing.maglev.MaglevInspection;
import dev.fulcrum.balancing.ringhash.RingHashInspection;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes docs/balancing-properties.md: balance, weights, disruption and bounded load of the hashing
 * policies, measured with the same code and seeds as their property tests. Deterministic: the same
 * build writes the same file.
 *
 * <pre>{@code scripts/balancing-properties            # rewrites docs/balancing-properties.md}</pre>
 */
public final class PropertyReport {

    /** The policies measured, as configured, with the label of their row. */
    static final List<Measured> POLICIES = List.of(
            new Measured("ring-hash", "ring-hash (160 vnodes)", Map.of()),
            new Measured("maglev", "maglev (M = 65537)", Map.of()),
            new Measured("jump-hash", "jump-hash", Map.of()),
            new Measured("rendezvous", "rendezvous", Map.of()));

    /** Other settings, measured for balance and disruption only. */
    static final List<Measured> VARIANTS = List.of(
            new Measured("ring-hash", "ring-hash (100 vnodes)", Map.of("virtualNodes", 100)),
            new Measured("maglev", "maglev (M = 655373)", Map.of("tableSize", 655373)));

    record Measured(String type, String label, Map<String, Object> parameters) {
        BalancingPolicy over(BackendSet backends) {
            return HashingProperties.policy(type, parameters, backends);
        }
    }

    private final PrintStream out;

    private PropertyReport(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            new PropertyReport(System.out).write();
            return;
        }
        try (PrintStream file = new PrintStream(Files.newOutputStream(Path.of(args[0])), false, StandardCharsets.UTF_8)) {
            new PropertyReport(file).write();
        }
    }

    private void write() {
        out.println("# Hashing policies: measured properties");
        out.println();
        out.println("Written by `scripts/balancing-properties` (the main class");
        out.println("`dev.fulcrum.balancing.hashing.PropertyReport` in balancing's test sources); the numbers are");
        out.println("deterministic (fixed seeds, " + KEYS + " keys drawn with `SplittableRandom(" + SEED + ")`), the same");
        out.println("measurements the property tests assert bounds on. Do not edit by hand: rerun the script.");
        out.println();
        out.println("In short: Maglev balances best and reads one slot, but a change of the set moves more keys");
        out.println("than the ones it must (more the smaller M is against N: keep M > 100 N); ring hash and");
        out.println("rendezvous never move a key needlessly, ring hash pays with coarser balance, rendezvous with");
        out.println("O(N) picks; jump hash is ideal only while backends are added and removed at the end of the");
        out.println("list. Bounded load caps every backend at ceil(c x mean) flows, which matters when keys repeat.");
        out.println();
        balance();
        weights();
        disruption();
        boundedLoad();
    }

    private void balance() {
        int[] sizes = {3, 10, 100, 1000};
        long[] keys = HashingProperties.keys(SEED, KEYS);
        out.println("## Balance: max / mean keys per backend, N equal backends");
        out.println();
        out.println("`max / mean` of the number of keys each backend receives. With " + KEYS + " keys the mean at");
        out.println("N = 1000 is 100 keys, so sampling noise alone puts the busiest backend well above the mean: the");
        out.println("`uniform random` row throws the same number of keys at random, the floor no hash can beat with");
        out.println("these keys. The `table` rows measure the structure itself, without keys: each backend's share");
        out.println("of the ring's arcs, or of Maglev's slots.");
        out.println();
        header("policy", sizes);
        for (Measured policy : all()) {
            List<String> cells = new ArrayList<>();
            for (int n : sizes) {
                cells.add(f(HashingProperties.maxOverMean(HashingProperties.counts(policy.over(HashingProperties.uniform(n)), keys))));
            }
            row(policy.label(), cells);
        }
        List<String> ideal = new ArrayList<>();
        List<String> arcs = new ArrayList<>();
        List<String> slots = new ArrayList<>();
        for (int n : sizes) {
            ideal.add(f(HashingProperties.idealMaxOverMean(SEED, KEYS, n)));
            arcs.add(f(HashingProperties.maxOverMean(RingHashInspection.arcShares(POLICIES.get(0).over(HashingProperties.uniform(n))))));
            slots.add(f(HashingProperties.maxOverMean(MaglevInspection.slotCounts(POLICIES.get(1).over(HashingProperties.uniform(n))))));
        }
        row("uniform random (noise floor)", ideal);
        row("ring-hash table (arc shares)", arcs);
        row("maglev table (slot counts)", slots);
        out.println();
    }

    private void weights() {
        int[] weights = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        long[] keys = HashingProperties.keys(SEED, KEYS);
        out.println("## Weights: shares against weights 1, 2, ..., 10");
        out.println();
        out.println("The largest `|share / (weight / total weight) - 1|` over the ten backends, " + KEYS + " keys (the");
        out.println("weight-1 backend expects 1818 keys, so about 2.3% is sampling noise).");
        out.println();
        out.println("| policy | worst relative error |");
        out.println("|---|---:|");
        for (Measured policy : POLICIES) {
            BackendSet set = TestBackends.backends(weights);
            out.println("| " + policy.label() + " | " + pct(HashingProperties.worstWeightError(HashingProperties.counts(policy.over(set), keys), set)) + " |");
        }
        out.println();
    }

    private void disruption() {
        int[] sizes = {10, 100, 1000};
        long[] keys = HashingProperties.keys(SEED + 1, KEYS);
        out.println("## Disruption: keys that move when one backend of N leaves or joins");
        out.println();
        out.println("Fraction of " + KEYS + " keys whose backend changes, and that fraction over the ideal `1/N`");
        out.println("(leave) or `1/(N+1)` (join). `needless` counts the keys that moved although they neither were");
        out.println("on the backend that left nor went to the one that joined: 0 is the consistent-hashing ideal.");
        out.println("`last` removes the last backend of the set, `middle` the one at index N/2, `join` appends one.");
        out.println();
        out.println("| policy | N | leave (last) | leave (middle) | join (end) | needless moves (last / middle / join) |");
        out.println("|---|---:|---:|---:|---:|---:|");
        for (Measured policy : all()) {
            for (int n : sizes) {
                Disruption last = Disruption.leave(policy, n, n - 1, keys);
                Disruption middle = Disruption.leave(policy, n, n / 2, keys);
                Disruption join = Disruption.join(policy, n, keys);
                out.println("| " + policy.label() + " | " + n + " | " + last.cell() + " | " + middle.cell() + " | " + join.cell()
                        + " | " + last.needless() + " / " + middle.needless() + " / " + join.needless() + " |");
            }
        }
        out.println();
    }

    private void boundedLoad() {
        double c = 1.25;
        int flows = KEYS;
        out.println("## Bounded load (c = " + c + "): flows held open");
        out.println();
        out.println("Each of " + flows + " keys is picked and its flow kept open (`tryAcquire`), so every pick sees the");
        out.println("loads of the ones before. `max / mean` is the busiest backend's active flows over the mean, for the");
        out.println("same keys without and with the bound; `away` is the fraction of flows that did not get the backend");
        out.println("the unbounded policy gives their key: the price of the bound. `uniform` keys are all distinct;");
        out.println("`zipf` keys repeat: " + flows + " draws from 10000 keys, rank r with probability ~ 1 / r^1.1 (hot");
        out.println("keys, the case bounded load is for).");
        out.println();
        out.println("| policy | keys | N | max / mean unbounded | max / mean bounded | ceil(c x mean) / mean | away |");
        out.println("|---|---|---:|---:|---:|---:|---:|");
        Map<String, long[]> scenarios = new java.util.LinkedHashMap<>();
        scenarios.put("uniform", HashingProperties.keys(SEED + 2, flows));
        scenarios.put("zipf", HashingProperties.zipfKeys(SEED + 2, flows, 10_000, 1.1));
        for (Measured policy : POLICIES.subList(0, 2)) {
            for (Map.Entry<String, long[]> scenario : scenarios.entrySet()) {
                for (int n : new int[] {10, 100}) {
                    BackendSet unboundedSet = HashingProperties.uniform(n);
                    BackendSet boundedSet = HashingProperties.uniform(n);
                    BalancingPolicy unbounded = policy.over(unboundedSet);
                    Map<String, Object> parameters = new HashMap<>(policy.parameters());
                    parameters.put("boundedLoad", c);
                    BalancingPolicy bounded = HashingProperties.policy(policy.type(), parameters, boundedSet);
                    int away = 0;
                    for (long key : scenario.getValue()) {
                        BackendState home = unbounded.pick(HashingProperties.flow(key));
                        home.tryAcquire();
                        BackendState picked = bounded.pick(HashingProperties.flow(key));
                        picked.tryAcquire();
                        if (home.index() != picked.index()) {
                            away++;
                        }
                    }
                    double mean = (double) flows / n;
                    out.println("| " + policy.label() + " | " + scenario.getKey() + " | " + n + " | " + f(maxActive(unboundedSet) / mean)
                            + " | " + f(maxActive(boundedSet) / mean) + " | " + f(Math.ceil(c * mean) / mean) + " | "
                            + pct((double) away / flows) + " |");
                }
            }
        }
        out.println();
    }

    private static List<Measured> all() {
        List<Measured> all = new ArrayList<>(POLICIES);
        all.addAll(VARIANTS);
        return all;
    }

    private static double maxActive(BackendSet set) {
        int max = 0;
        for (BackendState state : set.states()) {
            max = Math.max(max, state.activeFlows());
        }
        return max;
    }

    /** One change of the set and how the keys took it. */
    record Disruption(double moved, double ideal, int needless) {

        static Disruption leave(Measured policy, int n, int removed, long[] keys) {
            List<String> names = HashingProperties.names(n);
            String[] before = HashingProperties.assignment(policy.over(HashingProperties.named(names)), keys);
            List<String> fewer = new ArrayList<>(names);
            String gone = fewer.remove(removed);
            String[] after = HashingProperties.assignment(policy.over(HashingProperties.named(fewer)), keys);
            return new Disruption(HashingProperties.movedFraction(before, after), 1.0 / n,
                    HashingProperties.needlessMoves(before, after, gone, null));
        }

        static Disruption join(Measured policy, int n, long[] keys) {
            List<String> names = HashingProperties.names(n + 1);
            String[] after = HashingProperties.assignment(policy.over(HashingProperties.named(names)), keys);
            String added = names.remove(n);
            String[] before = HashingProperties.assignment(policy.over(HashingProperties.named(names)), keys);
            return new Disruption(HashingProperties.movedFraction(before, after), 1.0 / (n + 1),
                    HashingProperties.needlessMoves(before, after, null, added));
        }

        String cell() {
            return pct(moved) + " (" + f(moved / ideal) + " x)";
        }
    }

    private void header(String first, int[] sizes) {
        StringBuilder head = new StringBuilder("| " + first + " |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int n : sizes) {
            head.append(" N = ").append(n).append(" |");
            rule.append("---:|");
        }
        out.println(head);
        out.println(rule);
    }

    private void row(String label, List<String> cells) {
        out.println("| " + label + " | " + String.join(" | ", cells) + " |");
    }

    static String f(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }
}
