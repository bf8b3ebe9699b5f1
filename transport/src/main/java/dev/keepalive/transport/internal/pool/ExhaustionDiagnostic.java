package dev.keepalive.transport.internal.pool;

/**
 * What the pool adds to a {@link dev.keepalive.transport.PoolExhaustedException} about who holds a route's
 * connections. The pool knows only counts; the body tracker knows which open bodies hold them and which lines
 * opened them. Owned here so that the pool calls up into body tracking through it and never imports it.
 */
@FunctionalInterface
public interface ExhaustionDiagnostic {

    /**
     * Text to append to the exhaustion message of {@code route} (its {@code Route.name()}). Called without the
     * pool's lock held.
     */
    String describe(String route);
}
