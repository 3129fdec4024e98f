/**
 * The ONNX model runtime and the learned policies (learned hash, load-aware weights, Q-network).
 * Empty until the learned-runtime issue lands; the module exists so the reactor's shape is fixed.
 */
package dev.fulcrum.learned;
