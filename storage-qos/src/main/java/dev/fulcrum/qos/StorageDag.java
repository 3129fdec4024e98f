package dev.fulcrum.qos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The migration DAG of PASCAL §3.1: nodes with watermarks, ports where data enters or leaves, tasks
 * (bandwidth classes) made of weighted edges, and the resource kinds the tasks consume. Immutable;
 * validated on construction (names unique, edge ends known, no cycle among nodes).
 *
 * <p>Ideal pressures (Property 1's {@code p*}) are derived, not configured: a node's ideal pressure
 * is one more than the largest ideal pressure it sends data to, sink ports have 0 and source ports
 * one more than the nodes they feed. At the ideal watermarks every single-hop edge then has a
 * pressure difference of exactly 1, so every task gets the same share: the equilibrium of Eq. 9-11
 * for a stream of writes that passes through every tier at one rate.
 */
public final class StorageDag {

    private final List<StorageNode> nodes;
    private final List<Port> ports;
    private final List<BandwidthTask> tasks;
    private final List<ResourceKind> resources;
    private final Map<String, Integer> nodeIndex = new HashMap<>();
    private final Map<String, Integer> portIndex = new HashMap<>();
    /** Per task, per edge: source and destination as node index, or -1 - port index. */
    private final int[][] edgeFrom;
    private final int[][] edgeTo;
    private final double[] nodeIdealPressure;
    private final double[] portPressure;

    public StorageDag(List<StorageNode> nodes, List<Port> ports, List<BandwidthTask> tasks, List<ResourceKind> resources) {
        this.nodes = List.copyOf(nodes);
        this.ports = List.copyOf(ports);
        this.tasks = List.copyOf(tasks);
        this.resources = List.copyOf(resources);
        Checks.check(!this.nodes.isEmpty(), "nodes: none (expected: at least one)");
        Checks.check(!this.tasks.isEmpty(), "tasks: none (expected: at least one)");
        Checks.check(!this.resources.isEmpty(), "resources: none (expected: at least one)");
        for (int i = 0; i < this.nodes.size(); i++) {
            unique(nodeIndex.put(this.nodes.get(i).name(), i) == null && !portIndex.containsKey(this.nodes.get(i).name()),
                    this.nodes.get(i).name());
        }
        for (int i = 0; i < this.ports.size(); i++) {
            String name = this.ports.get(i).name();
            unique(!nodeIndex.containsKey(name) && portIndex.put(name, i) == null, name);
        }
        Map<String, Integer> taskNames = new HashMap<>();
        Map<String, Integer> resourceNames = new HashMap<>();
        this.tasks.forEach(t -> unique(taskNames.put(t.name(), 0) == null, t.name()));
        this.resources.forEach(r -> unique(resourceNames.put(r.name(), 0) == null, r.name()));
        edgeFrom = new int[this.tasks.size()][];
        edgeTo = new int[this.tasks.size()][];
        for (int t = 0; t < this.tasks.size(); t++) {
            BandwidthTask task = this.tasks.get(t);
            edgeFrom[t] = new int[task.edges().size()];
            edgeTo[t] = new int[task.edges().size()];
            for (int e = 0; e < task.edges().size(); e++) {
                Edge edge = task.edges().get(e);
                edgeFrom[t][e] = end(task, edge.from());
                edgeTo[t][e] = end(task, edge.to());
                Checks.check(edgeFrom[t][e] >= 0 || edgeTo[t][e] >= 0,
                        "task %s: edge %s -> %s joins two ports (expected: at least one node)", task.name(), edge.from(), edge.to());
            }
        }
        nodeIdealPressure = new double[this.nodes.size()];
        Arrays.fill(nodeIdealPressure, Double.NaN);
        for (int n = 0; n < this.nodes.size(); n++) {
            potential(n, new boolean[this.nodes.size()]);
        }
        portPressure = new double[this.ports.size()];
        for (int t = 0; t < edgeFrom.length; t++) {
            for (int e = 0; e < edgeFrom[t].length; e++) {
                if (edgeFrom[t][e] < 0) {
                    int port = -1 - edgeFrom[t][e];
                    portPressure[port] = Math.max(portPressure[port], nodeIdealPressure[edgeTo[t][e]] + 1);
                }
            }
        }
    }

    private static void unique(boolean fresh, String name) {
        Checks.check(fresh, "name %s: used twice (expected: node, port, task and resource names unique in their kind,"
                + " node and port names distinct)", name);
    }

    private int end(BandwidthTask task, String name) {
        Integer node = nodeIndex.get(name);
        if (node != null) {
            return node;
        }
        Integer port = portIndex.get(name);
        Checks.check(port != null, "task %s: edge end %s names no node or port (expected one of: %s)", task.name(), name,
                String.join(", ", allEndNames()));
        return -1 - port;
    }

    private List<String> allEndNames() {
        List<String> names = new ArrayList<>();
        nodes.forEach(n -> names.add(n.name()));
        ports.forEach(p -> names.add(p.name()));
        return names;
    }

    /** Longest path to a sink, in hops; a cycle among nodes is refused. */
    private double potential(int node, boolean[] onPath) {
        if (!Double.isNaN(nodeIdealPressure[node])) {
            return nodeIdealPressure[node];
        }
        Checks.check(!onPath[node], "node %s: on a cycle of edges (expected: a DAG)", nodes.get(node).name());
        onPath[node] = true;
        double best = 0;
        for (int t = 0; t < edgeFrom.length; t++) {
            for (int e = 0; e < edgeFrom[t].length; e++) {
                if (edgeFrom[t][e] == node) {
                    int to = edgeTo[t][e];
                    best = Math.max(best, 1 + (to >= 0 ? potential(to, onPath) : 0));
                }
            }
        }
        onPath[node] = false;
        nodeIdealPressure[node] = best;
        return best;
    }

    public List<StorageNode> nodes() {
        return nodes;
    }

    public List<Port> ports() {
        return ports;
    }

    public List<BandwidthTask> tasks() {
        return tasks;
    }

    public List<ResourceKind> resources() {
        return resources;
    }

    public int nodeIndex(String name) {
        Integer index = nodeIndex.get(name);
        Checks.check(index != null, "node %s: unknown (expected one of: %s)", name, nodeIndex.keySet());
        return index;
    }

    public int taskIndex(String name) {
        for (int t = 0; t < tasks.size(); t++) {
            if (tasks.get(t).name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("task " + name + ": unknown");
    }

    /** Property 1's ideal pressure of a node (see the class comment). */
    public double idealPressure(int node) {
        return nodeIdealPressure[node];
    }

    /** The fixed pressure of a port. */
    public double portPressure(int port) {
        return portPressure[port];
    }

    /** Edge ends of a task: node index, or -1 - port index. */
    int[] edgeSources(int task) {
        return edgeFrom[task];
    }

    int[] edgeDestinations(int task) {
        return edgeTo[task];
    }

    /** The same DAG with other ideal watermarks (one per node, in node order). */
    public StorageDag withIdealWatermarks(double[] ideal) {
        Checks.check(ideal.length == nodes.size(), "ideal watermarks: %s values (expected: %s, one per node)", ideal.length, nodes.size());
        List<StorageNode> changed = new ArrayList<>();
        for (int n = 0; n < nodes.size(); n++) {
            changed.add(nodes.get(n).withIdealWatermark(ideal[n]));
        }
        return new StorageDag(changed, ports, tasks, resources);
    }

    /** The same DAG with another stiffness for every node. */
    public StorageDag withStiffness(double stiffness) {
        List<StorageNode> changed = new ArrayList<>();
        nodes.forEach(n -> changed.add(n.withStiffness(stiffness)));
        return new StorageDag(changed, ports, tasks, resources);
    }
}
