/** JMH micro-benchmarks of keepalive's own costs. */
package dev.keepalive.benchmarks.jmh;
