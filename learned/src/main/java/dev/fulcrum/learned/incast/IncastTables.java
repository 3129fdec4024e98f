package dev.fulcrum.learned.incast;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The experiment's report as Markdown tables, one per figure of the paper. */
public final class IncastTables {

    private IncastTables() {
    }

    public static String markdown(IncastExperiment.Report report) {
        IncastExperiment.Settings s = report.settings();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "seed %d, capacities x %s, %d measured ticks of %.0f ms per point,"
                + " temperature %s, beta %s, gamma %s, alpha %s, %s network, %d training episodes x %d ticks, %d steps a tick%n%n",
                s.seed(), s.capacityScale(), s.measureTicks(), IncastSimulator.TICK_MS, s.temperature(), s.beta(),
                s.gamma(), s.alpha(), s.network(), s.trainEpisodes(), s.episodeTicks(), s.stepsPerTick()));
        out.append(String.format(Locale.ROOT, "Figure 7: incast probability against the arrival rate (flow-length parameter %s)%n%n",
                s.fixedFlowLengthRate()));
        sweep(out, report.arrivalSweep(), "arrival rate", RunResult::arrivalRate, RunResult::incastProbability, "%.4f");
        out.append(String.format(Locale.ROOT, "%nFigure 8: incast probability against the flow-length parameter (arrival rate %s; lower = longer flows)%n%n",
                s.fixedArrivalRate()));
        sweep(out, report.lengthSweep(), "flow-length parameter", RunResult::flowLengthRate, RunResult::incastProbability, "%.4f");
        out.append(String.format(Locale.ROOT, "%nFigures 9-11: highest arrival rate (%s), Short (flow-length parameter %s) and Long (%s)%n%n",
                s.highestArrivalRate(), s.shortLongLengthRates().get(0), s.shortLongLengthRates().get(1)));
        out.append("| topology | case | policy | load | incast | mean RTT ms | p95 RTT ms | mean degradation | p99 degradation | mean FCT ms | p95 FCT ms |\n");
        out.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult r : report.shortLong()) {
            String label = r.flowLengthRate() == s.shortLongLengthRates().get(0) ? "Short" : "Long";
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %.4f | %.3f | %.3f | %.4f | %.4f | %.2f | %.2f |%n",
                    r.topology(), label, r.policy(), r.offeredLoad(), r.incastProbability(), r.meanRttMs(), r.p95RttMs(),
                    r.meanDegradation(), r.p99Degradation(), r.meanFctMs(), r.p95FctMs()));
        }
        out.append("\nTraining (mean squared TD error of the final batches; a convergence check, not a result)\n\n");
        out.append("| topology | policy | ticks | transitions kept | core TD error | aggregate TD error |\n|---|---|---:|---:|---:|---:|\n");
        for (IncastExperiment.Training t : report.training()) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.5f | %.5f |%n", t.topology(), t.policy(), t.ticks(),
                    t.transitions(), t.coreTdError(), t.aggregateTdError()));
        }
        return out.toString();
    }

    private static void sweep(StringBuilder out, List<RunResult> rows, String axis, ToDoubleFunction<RunResult> x,
            ToDoubleFunction<RunResult> y, String format) {
        out.append("| topology | ").append(axis).append(" | load |");
        for (String policy : IncastExperiment.POLICIES) {
            out.append(' ').append(policy).append(" |");
        }
        out.append("\n|---|---:|---:|");
        out.append("---:|".repeat(IncastExperiment.POLICIES.size())).append('\n');
        int policies = IncastExperiment.POLICIES.size();
        for (int i = 0; i + policies <= rows.size(); i += policies) {
            RunResult first = rows.get(i);
            out.append(String.format(Locale.ROOT, "| %s | %s | %.2f |", first.topology(), x.applyAsDouble(first), first.offeredLoad()));
            for (int p = 0; p < policies; p++) {
                out.append(String.format(Locale.ROOT, " " + format + " |", y.applyAsDouble(rows.get(i + p))));
            }
            out.append('\n');
        }
    }
}
