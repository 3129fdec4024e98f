package dev.fulcrum.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;

/**
 * An open-model HTTP load through a running Fulcrum, for users who load-test their own setup:
 * new users arrive at a fixed rate whatever the response times (no coordinated omission), each
 * sends {@code fulcrum.requestsPerUser} GETs over one keep-alive connection.
 *
 * <pre>
 * mvn -pl loadtest -Pgatling gatling:test -Dfulcrum.url=http://127.0.0.1:8080 \
 *     -Dfulcrum.usersPerSec=200 -Dfulcrum.seconds=30
 * </pre>
 *
 * The run fails (Gatling's assertions) when more than {@code fulcrum.maxFailedPercent} of the
 * requests fail, so a proxy that carried nothing never passes.
 */
public final class FulcrumHttpSimulation extends Simulation {

    private static final String URL = System.getProperty("fulcrum.url", "http://127.0.0.1:8080");
    private static final String PATH = System.getProperty("fulcrum.path", "/");
    private static final double USERS_PER_SEC = Double.parseDouble(System.getProperty("fulcrum.usersPerSec", "50"));
    private static final int SECONDS = Integer.getInteger("fulcrum.seconds", 10);
    private static final int REQUESTS_PER_USER = Integer.getInteger("fulcrum.requestsPerUser", 10);
    private static final double MAX_FAILED_PERCENT = Double.parseDouble(System.getProperty("fulcrum.maxFailedPercent", "1"));

    private final HttpProtocolBuilder protocol = http.baseUrl(URL);

    private final ScenarioBuilder keepAlive = scenario("keep-alive GETs through Fulcrum")
            .repeat(REQUESTS_PER_USER).on(
                    http("GET " + PATH).get(PATH).check(status().in(200, 204, 301, 302, 304)));

    {
        setUp(keepAlive.injectOpen(constantUsersPerSec(USERS_PER_SEC).during(Duration.ofSeconds(SECONDS))))
                .protocols(protocol)
                .maxDuration(Duration.ofSeconds(SECONDS + 30L))
                .assertions(
                        global().requestsPerSec().gt(0.0),
                        global().failedRequests().percent().lte(MAX_FAILED_PERCENT));
    }
}
