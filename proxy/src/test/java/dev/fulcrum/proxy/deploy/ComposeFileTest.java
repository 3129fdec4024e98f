package dev.fulcrum.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.proxy.config.ConfigLoader;
import dev.fulcrum.proxy.config.FulcrumConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/compose.yaml is valid YAML whose services, ports and mounts fit together: every mounted
 * file exists, named volumes are declared, the published ports are the ones Fulcrum's compose
 * configuration listens on and the Dockerfile exposes, Prometheus scrapes the Fulcrum service's
 * admin port, Grafana's data source is the Prometheus service and its dashboard provider reads the
 * mounted dashboards. (SnakeYAML, as Compose, expands the {@code <<: *backend} merge key.)
 */
class ComposeFileTest {

    private static final Path DOCKER = ComposeStackTest.DOCKER;

    @Test
    @SuppressWarnings("unchecked")
    void servicesPortsAndMountsFitTogether() throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services).containsOnlyKeys("fulcrum", "backend-fast", "backend-medium", "backend-slow", "prometheus", "grafana");
        Map<String, Object> volumes = (Map<String, Object>) compose.get("volumes");

        for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
            Map<String, Object> spec = service.getValue();
            assertThat(spec.get("image")).as(service.getKey() + ": image").isNotNull();
            for (String mount : (List<String>) spec.getOrDefault("volumes", List.of())) {
                String source = mount.split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(DOCKER.resolve(source)).as(service.getKey() + ": mounted " + source).exists();
                } else {
                    assertThat(volumes).as(service.getKey() + ": named volume " + source).containsKey(source);
                }
            }
            for (String dependency : (List<String>) spec.getOrDefault("depends_on", List.of())) {
                assertThat(services).as(service.getKey() + ": depends_on").containsKey(dependency);
            }
        }

        // Fulcrum: built from this repository's Dockerfile, its configuration directory mounted at the documented path.
        Map<String, Object> fulcrum = services.get("fulcrum");
        Map<String, Object> build = (Map<String, Object>) fulcrum.get("build");
        Path context = DOCKER.resolve((String) build.get("context")).normalize();
        assertThat(context.resolve((String) build.get("dockerfile"))).exists();
        assertThat((List<String>) fulcrum.get("volumes")).anyMatch(v -> v.startsWith("./compose:/etc/fulcrum"));
        FulcrumConfig config = ConfigLoader.load(DOCKER.resolve("compose/fulcrum.yaml"));
        int listenerPort = config.listeners().get("web").bind().port();
        int adminPort = config.admin().address().port();
        assertThat((List<String>) fulcrum.get("ports")).contains(listenerPort + ":" + listenerPort, adminPort + ":" + adminPort);
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        assertThat(dockerfile).contains("EXPOSE " + listenerPort + " " + adminPort);

        // The backends: the compose configuration's addresses are the backend services on backend.py's port.
        for (String name : List.of("fast", "medium", "slow")) {
            Map<String, Object> backend = services.get("backend-" + name);
            assertThat((List<String>) backend.get("command")).contains("/srv/backend.py", name);
            assertThat((List<String>) backend.get("volumes")).contains("./compose/backend.py:/srv/backend.py:ro");
            assertThat(config.pools().get("web").backends()).anyMatch(b -> b.host().equals("backend-" + name) && b.port() == 8000);
        }
        assertThat(Files.readString(DOCKER.resolve("compose/backend.py"))).contains("else 8000");

        // Prometheus scrapes the Fulcrum service's admin port.
        assertThat(Files.readString(DOCKER.resolve("prometheus/prometheus.yml"))).contains("\"fulcrum:" + adminPort + "\"");
        assertThat((List<String>) services.get("prometheus").get("volumes"))
                .contains("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
        assertThat((List<String>) services.get("prometheus").get("command")).contains("--config.file=/etc/prometheus/prometheus.yml");

        // Grafana: the data source is the Prometheus service; the provider reads where the dashboards are mounted.
        Map<String, Object> datasources = new Yaml().load(Files.readString(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yaml")));
        Map<String, Object> datasource = ((List<Map<String, Object>>) datasources.get("datasources")).get(0);
        assertThat(datasource).containsEntry("url", "http://prometheus:9090").containsEntry("uid", "prometheus");
        assertThat((List<String>) services.get("prometheus").get("ports")).contains("9090:9090");
        Map<String, Object> providers = new Yaml().load(Files.readString(DOCKER.resolve("grafana/provisioning/dashboards/fulcrum.yaml")));
        String dashboardsPath = (String) ((Map<String, Object>) ((List<Map<String, Object>>) providers.get("providers")).get(0).get("options")).get("path");
        List<String> grafanaMounts = (List<String>) services.get("grafana").get("volumes");
        assertThat(grafanaMounts).contains("./grafana/dashboards:" + dashboardsPath + ":ro", "./grafana/provisioning:/etc/grafana/provisioning:ro");
        Map<String, String> environment = (Map<String, String>) services.get("grafana").get("environment");
        String home = environment.get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
        assertThat(home).startsWith(dashboardsPath + "/");
        assertThat(DOCKER.resolve("grafana/dashboards").resolve(home.substring(dashboardsPath.length() + 1))).exists();
    }

    @Test
    void theImageDocumentsWhatItUses() throws Exception {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        // Every file the Dockerfile copies from the context exists, and none is excluded by .dockerignore.
        Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(.+) (\\S+)$").matcher(dockerfile);
        List<String> sources = new ArrayList<>();
        while (copy.find()) {
            for (String source : copy.group(1).split(" ")) {
                sources.add(source);
            }
        }
        assertThat(sources).contains("docker/bin/fulcrum", "docker/bin/healthcheck", "docker/fulcrum.yaml");
        List<String> ignored = Files.readAllLines(DOCKER.resolve("../.dockerignore"));
        for (String source : sources) {
            if (!source.equals(".")) {
                assertThat(DOCKER.resolve("..").resolve(source)).exists();
                assertThat(ignored).as(".dockerignore excludes " + source).noneMatch(rule -> !rule.startsWith("#") && !rule.isBlank()
                        && (source.equals(rule) || source.startsWith(rule + "/")));
            }
        }
        assertThat(Files.isExecutable(DOCKER.resolve("bin/fulcrum"))).isTrue();
        assertThat(Files.isExecutable(DOCKER.resolve("bin/healthcheck"))).isTrue();
        assertThat(dockerfile).contains("HEALTHCHECK", "USER ${FULCRUM_UID}", "ARG JRE_IMAGE=eclipse-temurin:17-jre",
                "-XX:MaxRAMPercentage=", "/etc/fulcrum/fulcrum.yaml");
    }
}
