package dev.keepalive.transport.internal.body;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.concurrent.locks.ReentrantLock;

import dev.keepalive.transport.internal.pool.Route;

/**
 * The requests whose bodies leaked or were leak suspects before: the next bodies of the same request record
 * their opening stack, so that the second report names the line. A request is its method, route and path
 * template (every path segment holding a digit reads as {@code {}}, so {@code /users/42} and
 * {@code /users/43} are one request). At most {@link #MAX} are kept, the least recently reported forgotten
 * first, so memory does not grow with the paths an application calls.
 *
 * <p>{@link #contains} runs on every request once any request is known, so it does not allocate for a
 * request that is not known: a bit filter over the key's hash answers almost every such question, and only
 * a possible match builds the key and looks it up.
 */
final class SuspectRequests {

    /** Most requests remembered. */
    static final int MAX = 256;

    private static final int FILTER_BITS = 4096;
    /** The hash of the segment {@code {}}, so that a path and its template hash alike. */
    private static final int TEMPLATE_SEGMENT_HASH = 31 * '{' + '}';

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}; least recently reported first. */
    private final LinkedHashSet<Key> keys = new LinkedHashSet<>();
    /** Copy-on-write under {@link #lock}; read without it. Empty until the first request is reported. */
    private volatile long[] filter;

    record Key(String method, Route route, String pathTemplate) {
    }

    /** Remembers the request (again, as the most recent), forgetting the oldest over {@link #MAX}. */
    void add(String method, Route route, String rawPath) {
        String path = rawPath != null ? rawPath : "";
        Key key = new Key(method, route, template(path));
        this.lock.lock();
        try {
            this.keys.remove(key);
            this.keys.add(key);
            long[] next;
            if (this.keys.size() > MAX) {
                Iterator<Key> oldest = this.keys.iterator();
                oldest.next();
                oldest.remove();
                next = new long[FILTER_BITS / 64];
                for (Key k : this.keys) {
                    set(next, bit(k.method(), k.route(), templateHash(k.pathTemplate())));
                }
            }
            else {
                long[] current = this.filter;
                next = current != null ? current.clone() : new long[FILTER_BITS / 64];
                set(next, bit(method, route, templateHash(path)));
            }
            this.filter = next;
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Whether the request was reported before. Allocates nothing unless it probably was. */
    boolean contains(String method, Route route, String rawPath) {
        long[] bits = this.filter;
        if (bits == null) {
            return false;
        }
        String path = rawPath != null ? rawPath : "";
        int bit = bit(method, route, templateHash(path));
        if ((bits[bit >>> 6] & (1L << bit)) == 0) {
            return false;
        }
        Key key = new Key(method, route, template(path));
        this.lock.lock();
        try {
            return this.keys.contains(key);
        }
        finally {
            this.lock.unlock();
        }
    }

    int size() {
        this.lock.lock();
        try {
            return this.keys.size();
        }
        finally {
            this.lock.unlock();
        }
    }

    private static void set(long[] bits, int bit) {
        bits[bit >>> 6] |= 1L << bit;
    }

    private static int bit(String method, Route route, int pathHash) {
        int h = method.hashCode();
        h = 31 * h + route.host().hashCode();
        h = 31 * h + route.port();
        h = 31 * h + pathHash;
        h ^= h >>> 16;
        return h & (FILTER_BITS - 1);
    }

    /** The hash of {@link #template(String)} of {@code path}, computed without building it. */
    static int templateHash(String path) {
        int h = 0;
        int segment = 0;
        boolean digit = false;
        int n = path.length();
        for (int i = 0; i <= n; i++) {
            char c = i < n ? path.charAt(i) : '/';
            if (c == '/') {
                h = 31 * (31 * h + (digit ? TEMPLATE_SEGMENT_HASH : segment)) + '/';
                segment = 0;
                digit = false;
            }
            else {
                segment = 31 * segment + c;
                digit |= c >= '0' && c <= '9';
            }
        }
        return h;
    }

    /** Whether {@link #template(String)} of {@code path} is {@code template}, found without building it. */
    static boolean matchesTemplate(String path, String template) {
        int t = 0;
        int start = 0;
        int n = path.length();
        for (int i = 0; i <= n; i++) {
            if (i == n || path.charAt(i) == '/') {
                boolean digit = hasDigit(path, start, i);
                int length = digit ? 2 : i - start;
                if (digit ? !template.startsWith("{}", t) : !template.regionMatches(t, path, start, length)) {
                    return false;
                }
                t += length;
                if (i < n) {
                    if (t >= template.length() || template.charAt(t) != '/') {
                        return false;
                    }
                    t++;
                }
                start = i + 1;
            }
        }
        return t == template.length();
    }

    /** The path with every segment that holds a digit (an id, a number, a UUID) replaced by {@code {}}. */
    static String template(String path) {
        StringBuilder sb = new StringBuilder(path.length());
        int start = 0;
        int n = path.length();
        for (int i = 0; i <= n; i++) {
            if (i == n || path.charAt(i) == '/') {
                boolean digit = hasDigit(path, start, i);
                if (digit) {
                    sb.append("{}");
                }
                else {
                    sb.append(path, start, i);
                }
                if (i < n) {
                    sb.append('/');
                }
                start = i + 1;
            }
        }
        return sb.toString();
    }

    /** Whether {@code path} holds a digit between {@code from} and {@code to}: the segment is an id. */
    private static boolean hasDigit(String path, int from, int to) {
        for (int j = from; j < to; j++) {
            char c = path.charAt(j);
            if (c >= '0' && c <= '9') {
                return true;
            }
        }
        return false;
    }
}
