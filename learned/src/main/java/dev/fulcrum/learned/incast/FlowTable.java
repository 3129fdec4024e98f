package dev.fulcrum.learned.incast;

import java.util.Arrays;

/**
 * The simulator's open flows: each flow's path and departure time, and a binary min-heap of
 * departures. Flow slots are recycled through a free list, so a long run allocates only when the
 * number of open flows reaches a new maximum.
 */
final class FlowTable {

    static final int PATH = 5; // core, core's slot, aggregate, aggregate's slot, server

    private int[] paths = new int[PATH * 1024];
    private double[] departure = new double[1024];
    private int[] heap = new int[1024];
    private int heapSize;
    private int[] free = new int[1024];
    private int freeCount;
    private int allocated;

    int size() {
        return heapSize;
    }

    /** Opens a flow; returns its id, whose path is written with {@link #setPath}. */
    int open(double departureTime) {
        int id;
        if (freeCount > 0) {
            id = free[--freeCount];
        } else {
            id = allocated++;
            if (id == departure.length) {
                int grown = departure.length * 2;
                departure = Arrays.copyOf(departure, grown);
                paths = Arrays.copyOf(paths, grown * PATH);
                heap = Arrays.copyOf(heap, grown);
                free = Arrays.copyOf(free, grown);
            }
        }
        departure[id] = departureTime;
        int i = heapSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (departure[heap[parent]] <= departureTime) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = id;
        return id;
    }

    void setPath(int id, int core, int coreSlot, int aggregate, int aggregateSlot, int server) {
        int base = id * PATH;
        paths[base] = core;
        paths[base + 1] = coreSlot;
        paths[base + 2] = aggregate;
        paths[base + 3] = aggregateSlot;
        paths[base + 4] = server;
    }

    int path(int id, int element) {
        return paths[id * PATH + element];
    }

    /** Departure time of the next flow to leave, or +inf. */
    double nextDeparture() {
        return heapSize == 0 ? Double.POSITIVE_INFINITY : departure[heap[0]];
    }

    /** Removes the next flow to leave and returns its id (valid until the next {@link #open}). */
    int closeNext() {
        int id = heap[0];
        int last = heap[--heapSize];
        int i = 0;
        double key = departure[last];
        while (true) {
            int child = 2 * i + 1;
            if (child >= heapSize) {
                break;
            }
            if (child + 1 < heapSize && departure[heap[child + 1]] < departure[heap[child]]) {
                child++;
            }
            if (departure[heap[child]] >= key) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = last;
        free[freeCount++] = id;
        return id;
    }
}
