package dev.fulcrum.proxy.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and validates a Fulcrum YAML configuration file. The format, with the defaults of every
 * optional field:
 *
 * <pre>{@code
 * runtime:
 *   transport: auto          # auto | epoll | nio
 *   eventLoops: 0            # 0 = one per core, else up to 1024
 *   drainTimeout: 30s        # 0 to 24h
 *   watchConfig: true        # a change of this file reloads it, as SIGHUP does
 * admin:
 *   address: 127.0.0.1:9901  # or off
 *   tokenFile: /etc/fulcrum/admin-token   # bearer token for POST routes; else $FULCRUM_ADMIN_TOKEN; else none
 * telemetry:                 # see TelemetryReader for the rest
 *   tick: 250ms              # 10ms to 60s
 * listeners:                 # required, by name, at least one
 *   web:
 *     bind: 127.0.0.1:8080   # required; [v6]:port for IPv6; port 0 = any free port
 *     pool: web              # required; a key under pools
 *     key: client-address    # or client-address-port
 *     maxConnections: 20000
 *     connectTimeout: 2s     # above 0, at most 5m
 *     connectAttempts: 3     # 1 to 16
 *     idleTimeout: 5m        # 0 = never; at most 168h
 *     writeBuffer: {low: 32KiB, high: 64KiB}   # bytes, B, KiB, MiB, KB, MB; 1B <= low <= high <= 64MiB
 * pools:                     # required, by name, at least one
 *   web:
 *     policy: {type: round-robin}   # or `policy: round-robin`; other keys are the policy's parameters
 *     maxConnectionsPerBackend: 0   # the backends' default maxConnections; 0 = no limit
 *     backends:                     # required, at least one
 *       - address: 127.0.0.1:9001   # required; port 1 to 65535
 *         name: a                   # default: the address; unique in the pool
 *         weight: 1                 # 1 to 10000
 *         maxConnections: 0
 *       - 127.0.0.1:9002            # the same as {address: 127.0.0.1:9002}
 *     removedBackendDrainTimeout: 5m  # a backend removed by a reload: its open flows' time to finish; 0 to 24h
 * }</pre>
 *
 * Durations take a unit ({@code 250ms}, {@code 1.5s}, {@code 5m}, {@code 1h}); only {@code 0} may go
 * without. Names of listeners, pools and backends are letters, digits and {@code _ . : -}, starting
 * with a letter or digit.
 *
 * <p>Every problem in a file is reported at once, each with its path and what was expected, so an
 * operator fixes a file in one round. That is why the YAML tree is walked by hand (with
 * {@link Cursor}) rather than bound to the records by Jackson, which stops at the first error.
 * {@link ConfigWriter} writes a configuration back in its normalised form.
 */
public final class ConfigLoader {

    static final List<String> ROOT_FIELDS = List.of("runtime", "admin", "telemetry", "listeners", "pools", "qos");
    static final List<String> RUNTIME_FIELDS = List.of("transport", "eventLoops", "drainTimeout", "watchConfig");
    static final List<String> ADMIN_FIELDS = List.of("address", "tokenFile");
    /** A token file larger than this is surely not a token. */
    static final int MAX_TOKEN_BYTES = 4096;
    static final List<String> TELEMETRY_FIELDS = TelemetryReader.FIELDS;

    static final int MAX_EVENT_LOOPS = 1024;
    static final Duration MAX_DRAIN_TIMEOUT = Duration.ofHours(24);
    static final Duration MIN_TICK = Duration.ofMillis(10);
    static final Duration MAX_TICK = Duration.ofSeconds(60);

    private static final Map<String, RuntimeConfig.Transport> TRANSPORTS = new LinkedHashMap<>();

    static {
        for (RuntimeConfig.Transport t : RuntimeConfig.Transport.values()) {
            TRANSPORTS.put(t.configName(), t);
        }
    }

    private ConfigLoader() {
    }

    /**
     * Reads {@code file}; problems name it as given (relative paths stay relative, as the operator typed them).
     *
     * @throws ConfigException with every problem found, including an unreadable file
     */
    public static FulcrumConfig load(Path file) throws ConfigException {
        Objects.requireNonNull(file, "file");
        String source = file.toString();
        String text;
        try {
            if (Files.isDirectory(file)) {
                throw fileProblem(source, "is a directory (expected: a YAML file)");
            }
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw fileProblem(source, "does not exist (expected: a readable YAML file)");
        } catch (AccessDeniedException e) {
            throw fileProblem(source, "cannot be read: permission denied");
        } catch (MalformedInputException e) {
            throw fileProblem(source, "is not UTF-8 text (expected: a YAML file in UTF-8)");
        } catch (IOException e) {
            throw fileProblem(source, "cannot be read: " + e.getMessage());
        }
        // An editor's byte-order mark is not part of the YAML.
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return read(text, source, file);
    }

    /**
     * Reads YAML text; {@code sourceName} stands for the file in problems (e.g. {@code <stdin>}).
     * The result's {@link FulcrumConfig#source()} is {@code null}.
     *
     * @throws ConfigException with every problem found
     */
    public static FulcrumConfig parse(String yaml, String sourceName) throws ConfigException {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(sourceName, "sourceName");
        return read(yaml, sourceName, null);
    }

    private static FulcrumConfig read(String text, String sourceName, Path source) throws ConfigException {
        Problems problems = new Problems(sourceName);
        JsonNode tree = YamlReader.read(text, problems);
        FulcrumConfig config = tree == null ? null : root(Cursor.root(tree, problems), source);
        if (!problems.isEmpty()) {
            throw problems.toException();
        }
        return config;
    }

    private static ConfigException fileProblem(String source, String message) {
        Problems problems = new Problems(source);
        problems.add(YamlReader.FILE, message);
        return problems.toException();
    }

    /** The whole file; {@code null} when anything in it is wrong (all of it reported). */
    private static FulcrumConfig root(Cursor root, Path source) {
        if (!root.isMap()) {
            return root.expected("a map with listeners and pools");
        }
        root.rejectUnknownFields(ROOT_FIELDS);
        RuntimeConfig runtime = runtime(root.field("runtime"));
        AdminConfig admin = admin(root.field("admin"), source);
        TelemetryConfig telemetry = telemetry(root.field("telemetry"));
        Cursor pools = root.field("pools");
        Map<String, ListenerConfig> listeners = ListenerReader.read(
                root.field("listeners"), pools.entries().keySet(), admin);
        Map<String, PoolConfig> poolConfigs = PoolReader.read(pools);
        Map<String, String> listenerPools = new LinkedHashMap<>();
        listeners.forEach((name, l) -> listenerPools.put(name, l.pool()));
        QosConfig qos = QosReader.read(root.field("qos"), listenerPools);
        if (!root.problems().isEmpty()) {
            return null;
        }
        return new FulcrumConfig(source, runtime, admin, listeners, poolConfigs, telemetry, qos);
    }

    private static RuntimeConfig runtime(Cursor runtime) {
        RuntimeConfig defaults = RuntimeConfig.DEFAULT;
        runtime.optionalMap("a map with " + String.join(", ", RUNTIME_FIELDS));
        runtime.rejectUnknownFields(RUNTIME_FIELDS);
        return new RuntimeConfig(
                runtime.field("transport").choice(defaults.transport(), TRANSPORTS),
                runtime.field("eventLoops").integer(defaults.eventLoops(), 0, MAX_EVENT_LOOPS),
                runtime.field("drainTimeout").duration(defaults.drainTimeout(), Duration.ZERO, MAX_DRAIN_TIMEOUT,
                        "a duration from 0 to " + ValueParsers.formatDuration(MAX_DRAIN_TIMEOUT)),
                bool(runtime.field("watchConfig"), defaults.watchConfig()));
    }

    private static boolean bool(Cursor field, boolean defaultValue) {
        if (field.isAbsent()) {
            return defaultValue;
        }
        if (!field.node().isBoolean()) {
            field.expected("true or false");
            return defaultValue;
        }
        return field.node().booleanValue();
    }

    /** {@code null} when the address is wrong, so that no listener is said to clash with a default it never had. */
    private static AdminConfig admin(Cursor admin, Path source) {
        admin.optionalMap("a map with address and tokenFile; address: off turns the admin API off");
        admin.rejectUnknownFields(ADMIN_FIELDS);
        AdminConfig address = adminAddress(admin.field("address"));
        Cursor tokenFile = admin.field("tokenFile");
        if (!tokenFile.isAbsent()) {
            if (!tokenFile.isText() || tokenFile.text().isBlank()) {
                return tokenFile.expected("the path of a file holding the admin API's bearer token");
            }
            Path file = Path.of(tokenFile.text());
            // Relative to the configuration file, so a service started from any directory finds it.
            Path resolved = source != null && !file.isAbsolute() && source.toAbsolutePath().getParent() != null
                    ? source.toAbsolutePath().getParent().resolve(file) : file;
            AdminToken token = readToken(tokenFile, resolved);
            return address == null || token == null ? null : address.withToken(file, token);
        }
        String fromEnvironment = System.getenv(AdminToken.ENVIRONMENT_VARIABLE);
        if (address != null && fromEnvironment != null && !fromEnvironment.isBlank()) {
            return address.withToken(null, AdminToken.of(fromEnvironment.strip()));
        }
        return address;
    }

    private static AdminToken readToken(Cursor at, Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_TOKEN_BYTES) {
                at.report(Cursor.quote(file.toString()) + " is " + Files.size(file) + " bytes long (expected: a token of at most "
                        + MAX_TOKEN_BYTES + " bytes)");
                return null;
            }
            text = Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            at.report(Cursor.quote(file.toString()) + " does not exist (expected: a readable file holding the token)");
            return null;
        } catch (AccessDeniedException e) {
            at.report(Cursor.quote(file.toString()) + " cannot be read: permission denied");
            return null;
        } catch (IOException e) {
            at.report(Cursor.quote(file.toString()) + " cannot be read: " + e.getMessage());
            return null;
        }
        if (text.isEmpty()) {
            at.report(Cursor.quote(file.toString()) + " is empty (expected: the token on one line)");
            return null;
        }
        return AdminToken.of(text);
    }

    private static AdminConfig adminAddress(Cursor address) {
        if (address.isAbsent()) {
            return AdminConfig.DEFAULT;
        }
        // YAML 1.1 reads a bare `off` (and `no`, `false`) as the boolean false.
        boolean off = address.isText() ? address.text().equals("off")
                : address.node().isBoolean() && !address.node().booleanValue();
        if (off) {
            return AdminConfig.OFF;
        }
        String expectation = "host:port for the admin API, e.g. 127.0.0.1:9901, or off";
        if (!address.isText()) {
            return address.expected(expectation);
        }
        HostPort hostPort = address.hostPort(0, expectation);
        return hostPort == null ? null : new AdminConfig(true, hostPort);
    }

    private static TelemetryConfig telemetry(Cursor telemetry) {
        return TelemetryReader.read(telemetry);
    }
}
