package dev.fulcrum.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The PromQL of a Grafana dashboard JSON: every panel target's expression and every query variable's. */
final class DashboardQueries {

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*([a-z_]+)\\)");

    /** Expressions by where they sit ("panel title / refId", "variable name"), in the file's order. */
    static Map<String, String> of(Path dashboard) throws IOException {
        JsonNode root = new ObjectMapper().readTree(dashboard.toFile());
        assertThat(root.path("uid").asText()).as("the dashboard's uid").isNotEmpty();
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode panel : root.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title") + ": datasource").isEqualTo("prometheus");
            assertThat(panel.path("targets").size()).as(panel.path("title") + ": targets").isPositive();
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                assertThat(expr).as(panel.path("title") + " / " + target.path("refId") + ": expr").isNotBlank();
                queries.put(panel.path("title").asText() + " / " + target.path("refId").asText(), expr);
            }
        }
        for (JsonNode variable : root.path("templating").path("list")) {
            String query = variable.path("query").path("query").asText();
            Matcher labelValues = LABEL_VALUES.matcher(query);
            assertThat(labelValues.matches()).as("variable " + variable.path("name") + ": " + query + " (expected: label_values(selector, label))").isTrue();
            queries.put("variable " + variable.path("name").asText(), labelValues.group(1));
        }
        return queries;
    }

    /** The expression as Grafana sends it: variables at "All", the rate interval at 10 s. */
    static String substitute(String expr) {
        return expr.replace("$__rate_interval", "10s").replaceAll("\\$(pool|backend|class)\\b", ".*");
    }

    private DashboardQueries() {
    }
}
