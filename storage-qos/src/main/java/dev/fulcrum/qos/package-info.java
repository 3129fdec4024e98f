/**
 * The PASCAL pressure controller for bandwidth classes and the tiered-storage simulator.
 * Empty until the pressure-controller issue lands.
 */
package dev.fulcrum.qos;
