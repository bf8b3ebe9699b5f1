package dev.keepalive.transport.internal.body;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.keepalive.transport.internal.pool.Route;

/**
 * The opening stack recorded for the first body of each request, under {@code capture-stack: sampled}: a request
 * is its method, route and path template, as {@link SuspectRequests} reads it. A later body of the same request
 * that records no stack of its own names this line as where it was opened, so that the first leak from a line
 * names it although only the first body of each request paid for a stack (a {@code new Throwable()}, about
 * 700 bytes and a microsecond; a {@code StackWalker} stopped at the application frame costs more on JDK 17).
 *
 * <p>{@link #find} runs for every body, so it allocates nothing: an open-addressing table read without a lock,
 * matched against the path without building its template. At most {@link #MAX} requests are remembered; the
 * table then stops learning (a further request is recorded only when sampled), so memory does not grow with the
 * paths an application calls.
 */
final class RequestSites {

    /** Most requests remembered. */
    static final int MAX = 1024;

    /** Twice {@link #MAX}, a power of two: probes stay short. */
    private static final int SLOTS = 2048;

    private final AtomicReferenceArray<Site> slots = new AtomicReferenceArray<>(SLOTS);
    private final AtomicInteger size = new AtomicInteger();

    /** The line recorded for an earlier body of this request, or null. Allocates nothing. */
    Site find(String method, Route route, String rawPath) {
        String path = rawPath != null ? rawPath : "";
        int hash = hash(method, route, path);
        int slot = hash & (SLOTS - 1);
        for (int probes = 0; probes < SLOTS; probes++) {
            Site site = this.slots.get(slot);
            if (site == null) {
                return null;
            }
            if (site.matches(hash, method, route, path)) {
                return site;
            }
            slot = (slot + 1) & (SLOTS - 1);
        }
        return null;
    }

    /** Remembers {@code origin} as where this request's bodies are opened, unless one is known or the table is full. */
    void remember(String method, Route route, String rawPath, Throwable origin) {
        if (this.size.get() >= MAX) {
            return;
        }
        String path = rawPath != null ? rawPath : "";
        int hash = hash(method, route, path);
        Site site = new Site(hash, method, route, SuspectRequests.template(path), origin);
        int slot = hash & (SLOTS - 1);
        for (int probes = 0; probes < SLOTS; probes++) {
            Site current = this.slots.get(slot);
            if (current == null) {
                if (this.slots.compareAndSet(slot, null, site)) {
                    this.size.incrementAndGet();
                    return;
                }
                current = this.slots.get(slot);
            }
            if (current.matches(hash, method, route, path)) {
                return; // another thread remembered this request first
            }
            slot = (slot + 1) & (SLOTS - 1);
        }
    }

    int size() {
        return this.size.get();
    }

    /** Whether the table stopped learning: a request it does not know is then recorded only when sampled. */
    boolean full() {
        return this.size.get() >= MAX;
    }

    private static int hash(String method, Route route, String path) {
        int h = method.hashCode();
        h = 31 * h + route.host().hashCode();
        h = 31 * h + route.port();
        h = 31 * h + SuspectRequests.templateHash(path);
        return h ^ (h >>> 16);
    }

    /** One request's recorded opening; turned into text only when looked at. */
    static final class Site {

        private final int hash;
        private final String method;
        private final Route route;
        private final String template;
        private final Throwable origin;
        private volatile CallSite resolved;

        Site(int hash, String method, Route route, String template, Throwable origin) {
            this.hash = hash;
            this.method = method;
            this.route = route;
            this.template = template;
            this.origin = origin;
        }

        boolean matches(int hash, String method, Route route, String path) {
            return this.hash == hash && this.method.equals(method)
                    && (this.route == route || this.route.equals(route))
                    && SuspectRequests.matchesTemplate(path, this.template);
        }

        String openedAt() {
            CallSite site = this.resolved;
            if (site == null) {
                site = CallSite.of(this.origin);
                this.resolved = site;
            }
            return site.openedAt();
        }
    }
}
