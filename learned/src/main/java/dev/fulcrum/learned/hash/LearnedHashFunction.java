package dev.fulcrum.learned.hash;

import dev.fulcrum.balancing.Flow;
import dev.fulcrum.balancing.hash.FlowHash;
import dev.fulcrum.learned.ModelSlot;

/**
 * The learned hash as a {@link FlowHash}: a flow's raw key through the slot's current compiled
 * model, as a position on {@link LearnedHashRing}'s scale. Reads the slot once per call (volatile),
 * so a model swap applies from the next pick on. A key the encoding cannot read (NaN) is placed by
 * the flow's ordinary 64-bit hash, so no flow is ever refused for its key. Each first pick's
 * encoded key also goes to the {@link KeyTap} of the model's {@link DriftMonitor}.
 */
final class LearnedHashFunction implements FlowHash {

    private final ModelSlot<CompiledLearnedHash> slot;
    private final KeyTap tap;

    LearnedHashFunction(ModelSlot<CompiledLearnedHash> slot, KeyTap tap) {
        this.slot = slot;
        this.tap = tap;
    }

    @Override
    public long hashFlow(Flow flow) {
        CompiledLearnedHash model = slot.compiled();
        if (model == null) {
            return flow.keyHash() >>> 2;
        }
        double encoded = model.encoding().encode(flow.rawKey());
        if (flow.attempt() == 0) { // a retry is the same key again, not a new one
            tap.record(encoded);
        }
        double position = model.positionOfEncoded(encoded);
        return Double.isNaN(position) ? flow.keyHash() >>> 2 : scaled(position);
    }

    static long scaled(double position) {
        return (long) (position * LearnedHashRing.SCALE);
    }

    @Override
    public String name() {
        return "learned";
    }

    @Override
    public long hashLong(long key) {
        return hashDouble(key);
    }

    @Override
    public long hashBytes(byte[] key) {
        CompiledLearnedHash model = slot.compiled();
        double position = model == null ? Double.NaN
                : model.position(new String(key, java.nio.charset.StandardCharsets.ISO_8859_1));
        return Double.isNaN(position) ? 0 : scaled(position);
    }

    @Override
    public long hashDouble(double key) {
        CompiledLearnedHash model = slot.compiled();
        double position = model == null ? Double.NaN : model.positionOfEncoded(key);
        return Double.isNaN(position) ? 0 : scaled(position);
    }
}
