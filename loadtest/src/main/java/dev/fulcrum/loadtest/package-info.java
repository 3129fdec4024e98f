/**
 * Load generators, emulated backends and the benchmark harness against direct connections,
 * HAProxy and NGINX. Empty until the benchmark issue lands.
 */
package dev.fulcrum.loadtest;
