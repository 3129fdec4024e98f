package dev.fulcrum.proxy.config;

import java.util.ArrayList;
import java.util.List;

/** Collects problems while a file is read, so one run reports all of them. */
final class Problems {

    private final String source;
    private final List<ConfigProblem> list = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    void add(String path, String message) {
        list.add(new ConfigProblem(source, path, message));
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    /** Compared before and after reading a part, to tell whether that part had a problem. */
    int count() {
        return list.size();
    }

    ConfigException toException() {
        return new ConfigException(list);
    }
}
