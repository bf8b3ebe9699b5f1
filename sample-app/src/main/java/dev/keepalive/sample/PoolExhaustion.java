package dev.keepalive.sample;

import java.util.Optional;

import dev.keepalive.transport.PoolExhaustedException;

/**
 * Finds the transport's {@link PoolExhaustedException} inside what a client threw: Spring's clients wrap
 * every {@code IOException} (in a {@code ResourceAccessException}), so the diagnostic is a cause, not the
 * exception the application catches.
 */
final class PoolExhaustion {

    private PoolExhaustion() {
    }

    /**
     * The pool-exhausted cause of {@code failure}.
     * @param failure what a client call threw
     * @return the transport's exception, or empty when the failure had another cause
     */
    static Optional<PoolExhaustedException> in(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PoolExhaustedException exhausted) {
                return Optional.of(exhausted);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return Optional.empty();
    }

}
