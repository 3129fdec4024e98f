package dev.fulcrum.balancing;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Backend sets and flows for policy tests: backends are named a, b, c... in order. */
public final class TestBackends {

    private TestBackends() {
    }

    public static BackendSet backends(int... weights) {
        List<Backend> list = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            list.add(new Backend(name(i), "127.0.0.1", 9000 + i, weights[i], 0));
        }
        return BackendSet.of(list);
    }

    public static String name(int index) {
        return index < 26 ? String.valueOf((char) ('a' + index)) : "n" + index;
    }

    public static Flow flow() {
        return new Flow(0, null, new InetSocketAddress("127.0.0.1", 40000));
    }
}
