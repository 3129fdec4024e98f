package dev.fulcrum.proxy.cli;

import dev.fulcrum.learned.ModelRegistry;
import dev.fulcrum.proxy.FulcrumProxy;
import dev.fulcrum.proxy.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code fulcrum sim learned-hash-sockets}: the learned hash against Maglev on real sockets
 * (docs/learned-hash.md). A population of client addresses clustered in a few ranges of
 * 127.0.0.0/8 with Zipf request frequencies (the experiment's setting 2); a model is trained (the
 * Python trainer, address encoding) on one request sample; then the same fresh request sample is
 * sent through Fulcrum (in this process, 8 loopback backends) once per policy, each client binding
 * its source address before it connects; every backend counts the flows it accepted.
 */
@Command(name = "learned-hash-sockets",
        description = "The learned hash against Maglev on loopback sockets: clients bind source addresses across 127.0.0.0/8"
                + " drawn with Zipf frequencies from a clustered population; flows per backend, std and max/mean, side by side.")
final class SimLearnedHashSocketsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--backends", defaultValue = "8", description = "Backends. Default: ${DEFAULT-VALUE}.")
    int backends;

    @Option(names = "--population", defaultValue = "20000", description = "Distinct client addresses. Default: ${DEFAULT-VALUE}.")
    int population;

    @Option(names = "--train-requests", defaultValue = "200000", description = "Requests in the training sample. Default: ${DEFAULT-VALUE}.")
    int trainRequests;

    @Option(names = "--flows", defaultValue = "20000", description = "Flows sent through each policy (a fresh sample). Default: ${DEFAULT-VALUE}.")
    int flows;

    @Option(names = "--zipf", defaultValue = "0.6", description = "Zipf exponent of request frequencies. Default: ${DEFAULT-VALUE}.")
    double zipf;

    @Option(names = "--clients", defaultValue = "4", description = "Client threads. Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(names = "--seed", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--policies", split = ",", defaultValue = "maglev,learned-hash", description = "Policies, in order. Default: ${DEFAULT-VALUE}.")
    List<String> policies;

    @Option(names = "--layers", defaultValue = "1,16,128", description = "Models per layer. Default: ${DEFAULT-VALUE}.")
    String layers;

    @Option(names = "--steps", defaultValue = "300", description = "Adam steps per layer. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--training-dir", defaultValue = "learned/training", description = "Where fulcrum_training is. Default: ${DEFAULT-VALUE}.")
    Path trainingDir;

    @Option(names = "--work-dir", description = "Where the model and configurations go (default: a new temporary directory).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(trainingDir.resolve("fulcrum_training"))) {
            throw new ParameterException(spec.commandLine(), "--training-dir: " + trainingDir + " (expected: the directory holding fulcrum_training)");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("fulcrum-sim-sockets");
        int[] addresses = population(population, new SplittableRandom(seed));
        double[] cumulative = zipfCumulative(addresses.length, zipf);
        Path model = work.resolve("clients.onnx");
        long started = System.nanoTime();
        train(sample(addresses, cumulative, trainRequests, new SplittableRandom(seed * 31 + 1)), model);
        out.printf("model trained on %d requests (%d distinct addresses, Zipf s=%s) in %.0f s%n", trainRequests, population, zipf,
                (System.nanoTime() - started) / 1e9);
        int[] test = sample(addresses, cumulative, flows, new SplittableRandom(seed * 31 + 2));
        List<long[]> results = new ArrayList<>();
        for (String policy : policies) {
            long t0 = System.nanoTime();
            results.add(run(policy, model, test, work));
            out.printf("%s: %d flows in %.1f s%n", policy, flows, (System.nanoTime() - t0) / 1e9);
        }
        out.println();
        out.println("| policy | flows per backend | std | std / mean | max / mean | failed |");
        out.println("|---|---|---:|---:|---:|---:|");
        for (int p = 0; p < policies.size(); p++) {
            long[] counts = results.get(p);
            long[] perBackend = Arrays.copyOf(counts, backends);
            double mean = Arrays.stream(perBackend).sum() / (double) backends;
            double var = Arrays.stream(perBackend).mapToDouble(c -> (c - mean) * (c - mean)).sum() / backends;
            double max = Arrays.stream(perBackend).max().orElse(0);
            out.printf("| %s | %s | %.1f | %.4f | %.3f | %d |%n", policies.get(p), Arrays.toString(perBackend), Math.sqrt(var),
                    Math.sqrt(var) / mean, max / mean, counts[backends]);
        }
        out.printf("%nrandom-hash floor for %d flows over %d backends: std %.1f (std / mean %.4f)%n", flows, backends,
                Math.sqrt(flows / (double) backends * (1 - 1.0 / backends)), Math.sqrt((backends - 1.0) / flows));
        out.flush();
        return 0;
    }

    /** Flows per backend (then failures) when {@code test}'s addresses connect through a Fulcrum with this policy. */
    private long[] run(String policy, Path model, int[] test, Path work) throws Exception {
        List<ServerSocket> servers = new ArrayList<>();
        AtomicIntegerArray accepted = new AtomicIntegerArray(backends);
        ExecutorService serving = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sockets-backend");
            t.setDaemon(true);
            return t;
        });
        StringBuilder yaml = new StringBuilder("runtime: {eventLoops: 2, watchConfig: false}\ntelemetry: {enabled: false}\n"
                + "listeners:\n  sim: {bind: 127.0.0.1:0, pool: sim, key: client-address, maxConnections: 100000}\n"
                + "pools:\n  sim:\n    policy: " + (policy.equals("learned-hash")
                        ? "{type: learned-hash, model: " + model + ", name: sockets-" + seed + "}" : "{type: " + policy + "}")
                + "\n    backends:\n");
        try {
            for (int b = 0; b < backends; b++) {
                ServerSocket server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
                servers.add(server);
                int index = b;
                serving.execute(() -> serve(server, accepted, index));
                yaml.append("      - {name: b").append(b).append(", address: 127.0.0.1:").append(server.getLocalPort()).append("}\n");
            }
            Path config = work.resolve(policy + ".yaml");
            Files.writeString(config, yaml);
            AtomicLong failed = new AtomicLong();
            try (FulcrumProxy proxy = FulcrumProxy.start(ConfigLoader.load(config))) {
                InetSocketAddress target = proxy.listenerAddress("sim");
                ExecutorService pool = Executors.newFixedThreadPool(clients);
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    int first = c;
                    done.add(pool.submit(() -> {
                        for (int i = first; i < test.length; i += clients) {
                            if (!exchange(test[i], target)) {
                                failed.incrementAndGet();
                            }
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                pool.shutdown();
            } finally {
                ModelRegistry.global().close();
            }
            long[] counts = new long[backends + 1];
            for (int b = 0; b < backends; b++) {
                counts[b] = accepted.get(b);
            }
            counts[backends] = failed.get();
            return counts;
        } finally {
            for (ServerSocket server : servers) {
                server.close();
            }
            serving.shutdownNow();
            serving.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void serve(ServerSocket server, AtomicIntegerArray accepted, int index) {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                accepted.incrementAndGet(index);
                socket.setSoTimeout(10_000);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                int b = in.read();
                if (b >= 0) {
                    out.write(b);
                }
            } catch (IOException e) {
                // closed at the end, or a client gone: the client side counts failures
            }
        }
    }

    private static boolean exchange(int address, InetSocketAddress target) {
        try (Socket socket = new Socket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByAddress(bytes(address)), 0));
            socket.connect(target, 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(7);
            return socket.getInputStream().read() == 7;
        } catch (IOException e) {
            return false;
        }
    }

    private void train(int[] requests, Path model) throws IOException, InterruptedException {
        TreeMap<Integer, Integer> counts = new TreeMap<>();
        for (int a : requests) {
            counts.merge(a, 1, Integer::sum);
        }
        StringBuilder csv = new StringBuilder("key,count\n");
        counts.forEach((a, c) -> csv.append(dotted(a)).append(',').append(c).append('\n'));
        Path keys = model.resolveSibling("train-keys.csv");
        Files.writeString(keys, csv);
        List<String> command = List.of("/usr/bin/python3", "-m", "fulcrum_training", "train-hash", "--keys", keys.toString(),
                "--encoding", "address", "--out", model.toString(), "--layers", layers, "--steps", Integer.toString(steps),
                "--seed", Long.toString(seed), "--version", "sockets-" + seed);
        Process process = new ProcessBuilder(command).directory(trainingDir.toAbsolutePath().toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("trainer failed (" + String.join(" ", command) + "):\n" + output);
        }
    }

    /** Distinct addresses in four clustered ranges of 127.0.0.0/8 (last octet 1..254), in random rank order. */
    static int[] population(int size, SplittableRandom random) {
        Set<Integer> seen = new HashSet<>();
        int[] out = new int[size];
        int[] centres = new int[4];
        for (int c = 0; c < 4; c++) {
            centres[c] = random.nextInt(1 << 24);
        }
        int i = 0;
        while (i < size) {
            int centre = centres[random.nextInt(4)];
            int offset = (int) (random.nextGaussian() * (1 << 14));
            int low24 = Math.floorMod(centre + offset, 1 << 24);
            int last = low24 & 0xFF;
            if (last == 0 || last == 255 || low24 < 256) {
                continue;
            }
            int address = (127 << 24) | low24;
            if (seen.add(address)) {
                out[i++] = address;
            }
        }
        return out;
    }

    static double[] zipfCumulative(int size, double s) {
        double[] cumulative = new double[size];
        double total = 0;
        for (int k = 0; k < size; k++) {
            total += Math.pow(k + 1, -s);
            cumulative[k] = total;
        }
        for (int k = 0; k < size; k++) {
            cumulative[k] /= total;
        }
        return cumulative;
    }

    static int[] sample(int[] population, double[] cumulative, int count, SplittableRandom random) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            int rank = Arrays.binarySearch(cumulative, random.nextDouble());
            rank = rank >= 0 ? rank : Math.min(-rank - 1, cumulative.length - 1);
            out[i] = population[rank];
        }
        return out;
    }

    private static byte[] bytes(int address) {
        return new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
    }

    private static String dotted(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }
}
