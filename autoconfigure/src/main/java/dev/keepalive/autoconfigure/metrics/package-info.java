/**
 * Micrometer meters for keepalive ({@code keepalive.connections.*}, {@code keepalive.bodies.*}).
 */
package dev.keepalive.autoconfigure.metrics;
