/**
 * JMH benchmarks of the vector kernels. Choose the provider per run with
 * {@code -jvmArgsAppend -Dstrata.vector.provider=scalar} (or {@code panama}).
 */
package dev.strata.bench.kernels;
