package dev.keepalive.autoconfigure;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLContext;

import org.springframework.boot.ssl.SslBundle;

/**
 * One {@link SSLContext} per {@link SslBundle} object. The transport keys its routes by TLS context, and
 * Boot hands every client built from its builders the same bundle object (until the bundle is reloaded,
 * when the registry holds a new one); creating a context per build would give each client a pool of its
 * own. A reloaded bundle is a new object and so a new context and a new route, as its trust may differ.
 * <p>
 * Bundles are held weakly: a bundle replaced by a reload, and its context, go when nothing else uses them.
 */
final class BundleSslContexts {

    private final ReentrantLock lock = new ReentrantLock();

    /** Keyed by the bundle's equals: identity for Boot's bundles, which do not override it. */
    private final Map<SslBundle, SSLContext> contexts = new WeakHashMap<>();

    /** The context of {@code bundle}: the one created for it before, or a new one. */
    SSLContext contextOf(SslBundle bundle) {
        SSLContext known = get(bundle);
        if (known != null) {
            return known;
        }
        // Created outside the lock: a bundle may read key material. Two racing callers both create one, and
        // the first to store it wins, so every caller returns the same context.
        SSLContext created = bundle.createSslContext();
        this.lock.lock();
        try {
            SSLContext raced = this.contexts.putIfAbsent(bundle, created);
            return (raced != null) ? raced : created;
        }
        finally {
            this.lock.unlock();
        }
    }

    /** How many bundles have a context; for tests. */
    int size() {
        this.lock.lock();
        try {
            return this.contexts.size();
        }
        finally {
            this.lock.unlock();
        }
    }

    private SSLContext get(SslBundle bundle) {
        this.lock.lock();
        try {
            return this.contexts.get(bundle);
        }
        finally {
            this.lock.unlock();
        }
    }

}
