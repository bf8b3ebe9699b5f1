/**
 * Side-by-side benchmarks of keepalive and the other Spring request factories against a local nginx
 * (design §8). {@link dev.keepalive.benchmarks.BenchmarkMain} is the entry point; {@code benchmarks/run.sh}
 * starts the server and the harness.
 */
package dev.keepalive.benchmarks;
