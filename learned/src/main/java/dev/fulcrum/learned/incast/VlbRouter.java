package dev.fulcrum.learned.incast;

/**
 * VLB (Valiant load balancing, the paper's baseline [37,38]): every flow goes to a child drawn
 * uniformly at random, whatever the loads: the same draw as Fulcrum's {@code random} policy with
 * equal weights.
 */
final class VlbRouter implements Router {

    private final Topology topology;

    VlbRouter(Topology topology) {
        this.topology = topology;
    }

    @Override
    public void onTick(IncastSimulator sim) {
    }

    @Override
    public int choose(int component, long flowHash, long random) {
        return (int) (((random >>> 32) * topology.children[component].length) >>> 32);
    }
}
