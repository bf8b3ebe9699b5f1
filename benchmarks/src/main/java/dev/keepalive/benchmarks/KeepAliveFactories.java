package dev.keepalive.benchmarks;

import dev.keepalive.transport.BodiesSnapshot;
import dev.keepalive.transport.KeepAliveSettings;
import dev.keepalive.transport.KeepAliveTransport;
import dev.keepalive.transport.StackCapture;

/**
 * Opens keepalive's request factory: {@code KeepAliveTransport.create(settings).requestFactory()} with the
 * defaults of design §4, optionally with another {@code leak-detection.capture-stack}. On close it checks
 * that the benchmark itself left no body open or leaked, then closes the transport.
 */
public final class KeepAliveFactories {

    private KeepAliveFactories() {
    }

    /**
     * Creates a transport with the default settings, or with {@code captureStack} when not {@code null}.
     *
     * @param captureStack the stack-capture mode, or {@code null} for the default ({@code sampled})
     */
    public static RequestFactoryHandle open(StackCapture captureStack) {
        KeepAliveSettings.Builder settings = KeepAliveSettings.builder();
        if (captureStack != null) {
            settings.captureStack(captureStack);
        }
        return open(settings);
    }

    /** Creates a transport with body tracking switched off: the baseline of the leak-tracking cost. */
    public static RequestFactoryHandle openUntracked() {
        return open(KeepAliveSettings.builder().trackBodies(false));
    }

    private static RequestFactoryHandle open(KeepAliveSettings.Builder settings) {
        KeepAliveTransport transport = KeepAliveTransport.create(settings.build());
        return new RequestFactoryHandle(transport.requestFactory(), () -> {
            BodiesSnapshot bodies = transport.bodies();
            if (bodies.open() != 0 || bodies.leaked() != 0) {
                System.err.printf("  keepalive: %d bodies still open and %d leaked after a window%n", bodies.open(),
                        bodies.leaked());
            }
            transport.close();
        });
    }
}
