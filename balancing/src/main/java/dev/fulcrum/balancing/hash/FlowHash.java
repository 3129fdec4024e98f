package dev.fulcrum.balancing.hash;

import dev.fulcrum.balancing.Flow;

/**
 * A hash function that reads the whole flow rather than its 64-bit key: a learned hash maps the raw
 * key (the client address as a number, a host name) through a model of the key distribution, which
 * the proxy's mixed {@link Flow#keyHash()} would destroy. {@code HashingPolicy.keyOf} asks it first.
 * Same contract as {@link HashFunction}: thread-safe, no blocking, no allocation.
 */
public interface FlowHash extends HashFunction {

    long hashFlow(Flow flow);
}
