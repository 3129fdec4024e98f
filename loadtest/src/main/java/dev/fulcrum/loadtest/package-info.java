/**
 * Load tools for the benchmark harness ({@code loadtest/bench}): an open-loop HTTP load at a fixed
 * rate with latencies corrected for coordinated omission ({@link dev.fulcrum.loadtest.FixedRateLatency}),
 * and a holder of many idle connections for memory per connection
 * ({@link dev.fulcrum.loadtest.IdleConnections}). The harness itself (peers, rounds, report) is
 * {@code loadtest/bench/*.py}; the Gatling simulation for users is under {@code src/gatling}.
 */
package dev.fulcrum.loadtest;
