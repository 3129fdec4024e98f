package dev.fulcrum.qos;

/**
 * Where data enters or leaves the DAG: the clients (source of the throughput task) or the free
 * space that garbage collection returns data to. A port has no watermark; its pressure is fixed
 * (see {@link StorageDag#idealPressure}), so the pressure difference of a task that starts or ends
 * at a port moves with one node alone.
 */
public record Port(String name) {

    public Port {
        Checks.name(name, "port");
    }
}
