package dev.keepalive.benchmarks;

import java.lang.reflect.Method;

/**
 * Makes the load's caller threads: platform threads, or virtual threads on a JDK that has them. The
 * harness is compiled for Java 17, so the JDK 21 builder API is reached by reflection, once.
 */
final class CallerThreads {

    private static final Method OF_VIRTUAL = lookup("java.lang.Thread", "ofVirtual");
    private static final Method UNSTARTED = lookup("java.lang.Thread$Builder", "unstarted", Runnable.class);

    private CallerThreads() {
    }

    /** Whether this JVM can start virtual threads. */
    static boolean virtualAvailable() {
        return OF_VIRTUAL != null && UNSTARTED != null;
    }

    /** An unstarted daemon caller thread named {@code name}. */
    static Thread create(Runnable caller, String name, boolean virtual) {
        if (!virtual) {
            Thread thread = new Thread(caller, name);
            thread.setDaemon(true);
            return thread;
        }
        if (!virtualAvailable()) {
            throw new IllegalStateException("virtual threads need JDK 21 or later; this is " + Runtime.version());
        }
        try {
            Thread thread = (Thread) UNSTARTED.invoke(OF_VIRTUAL.invoke(null), caller);
            thread.setName(name);
            return thread;
        }
        catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("cannot start a virtual thread", ex);
        }
    }

    private static Method lookup(String type, String name, Class<?>... parameters) {
        try {
            return Class.forName(type).getMethod(name, parameters);
        }
        catch (ReflectiveOperationException ex) {
            return null;
        }
    }
}
