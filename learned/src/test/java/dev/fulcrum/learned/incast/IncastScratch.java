package dev.fulcrum.learned.incast;

/** Scratch runner (not a test). */
final class IncastScratch {
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        IncastExperiment.Settings d = args.length > 0 && args[0].equals("quick")
                ? IncastExperiment.Settings.quick(42) : IncastExperiment.Settings.defaults(42);
        if (args.length > 1) {
            d = new IncastExperiment.Settings(d.topologies(), d.capacityScale(), d.arrivalRates(), d.flowLengthRates(),
                d.fixedArrivalRate(), d.fixedFlowLengthRate(), d.shortLongLengthRates(), d.warmupTicks(), Integer.parseInt(args[1]),
                Integer.parseInt(args[2]), Integer.parseInt(args[3]), Double.parseDouble(args[4]), d.beta(), d.gamma(),
                Double.parseDouble(args[5]), d.seed());
        }
        IncastExperiment.Report r = IncastExperiment.run(d, m -> System.err.println(String.format("%6.1fs %s", (System.nanoTime() - t0) / 1e9, m)));
        System.out.println(IncastTables.markdown(r));
        System.err.printf("total %.1fs%n", (System.nanoTime() - t0) / 1e9);
    }
}
