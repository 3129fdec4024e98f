package dev.fulcrum.proxy.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration that cannot be used, with every problem found in it (not just the first). */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** In the order found: file order within a section, sections in the order of the file format. */
    public List<ConfigProblem> problems() {
        return problems;
    }
}
