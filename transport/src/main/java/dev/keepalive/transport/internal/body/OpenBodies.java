package dev.keepalive.transport.internal.body;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bodies that are open now: added when a body is opened, removed when it ends, walked by snapshots and
 * housekeeping. Adding and removing allocate nothing (the bodies are the links of intrusive lists), because
 * they run twice per request: a map keyed by id cost a boxed id and a node per body, about 100 bytes.
 *
 * <p>The bodies are spread over stripes by id, each a doubly linked list under its own lock, so that callers
 * on many threads rarely meet on one lock. A lock is held only to link or unlink, or to copy a stripe when
 * walking: never across I/O, logging or listener calls.
 */
final class OpenBodies {

    /** A power of two, so that the stripe of an id is a mask. */
    private static final int STRIPES = 16;

    private final Stripe[] stripes = new Stripe[STRIPES];

    OpenBodies() {
        for (int i = 0; i < STRIPES; i++) {
            this.stripes[i] = new Stripe();
        }
    }

    void add(OpenBody body) {
        stripeOf(body).add(body);
    }

    /** Removes {@code body}; false if it was not here (never added, or removed already). */
    boolean remove(OpenBody body) {
        return stripeOf(body).remove(body);
    }

    /** How many bodies are open: a sum over the stripes, never a walk over the bodies. */
    int size() {
        int size = 0;
        for (Stripe stripe : this.stripes) {
            size += stripe.size;
        }
        return size;
    }

    /** The open bodies at about this moment, in no order. */
    List<OpenBody> list() {
        List<OpenBody> all = new ArrayList<>(size() + STRIPES);
        for (Stripe stripe : this.stripes) {
            stripe.copyTo(all);
        }
        return all;
    }

    private Stripe stripeOf(OpenBody body) {
        return this.stripes[(int) body.id & (STRIPES - 1)];
    }

    private static final class Stripe {

        private final ReentrantLock lock = new ReentrantLock();
        /** Guarded by {@link #lock}. */
        private OpenBody head;
        /** Written under {@link #lock}, read without it. */
        private volatile int size;

        void add(OpenBody body) {
            this.lock.lock();
            try {
                OpenBody first = this.head;
                body.next = first;
                body.prev = null;
                if (first != null) {
                    first.prev = body;
                }
                this.head = body;
                body.linked = true;
                this.size = this.size + 1;
            }
            finally {
                this.lock.unlock();
            }
        }

        boolean remove(OpenBody body) {
            this.lock.lock();
            try {
                if (!body.linked) {
                    return false;
                }
                OpenBody before = body.prev;
                OpenBody after = body.next;
                if (before != null) {
                    before.next = after;
                }
                else {
                    this.head = after;
                }
                if (after != null) {
                    after.prev = before;
                }
                body.prev = null;
                body.next = null;
                body.linked = false;
                this.size = this.size - 1;
                return true;
            }
            finally {
                this.lock.unlock();
            }
        }

        void copyTo(List<OpenBody> out) {
            this.lock.lock();
            try {
                for (OpenBody body = this.head; body != null; body = body.next) {
                    out.add(body);
                }
            }
            finally {
                this.lock.unlock();
            }
        }
    }
}
