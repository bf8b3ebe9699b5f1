package dev.keepalive.transport.internal.body;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The {@link Inflater} of one body, made on first use. A close on another thread may end it while a read
 * inflates: the lock (held for CPU work only, never across a socket read) makes that read fail cleanly
 * instead of touching freed memory. The tracker ends it too when the body ends any other way.
 */
public final class Inflation {

    private final ReentrantLock lock = new ReentrantLock();
    private Inflater inflater;
    private boolean ended;
    // Results of the last inflate, read by the decoding thread only.
    boolean finished;
    boolean needsDictionary;
    int remaining;

    int inflate(byte[] b, int off, int len) throws IOException, DataFormatException {
        this.lock.lock();
        try {
            Inflater active = active();
            int n = active.inflate(b, off, len);
            this.finished = active.finished();
            this.needsDictionary = active.needsDictionary();
            this.remaining = active.getRemaining();
            return n;
        }
        finally {
            this.lock.unlock();
        }
    }

    void setInput(byte[] b, int off, int len) throws IOException {
        this.lock.lock();
        try {
            active().setInput(b, off, len);
        }
        finally {
            this.lock.unlock();
        }
    }

    /** How many input bytes the inflater has not consumed yet: the last ones it was given. */
    int remainingInput() throws IOException {
        this.lock.lock();
        try {
            return active().getRemaining();
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Ready for the next member. */
    void reset() throws IOException {
        this.lock.lock();
        try {
            active().reset();
            this.finished = false;
            this.needsDictionary = false;
            this.remaining = 0;
        }
        finally {
            this.lock.unlock();
        }
    }

    private Inflater active() throws IOException {
        if (this.ended) {
            throw new IOException("The gzip body was closed");
        }
        if (this.inflater == null) {
            this.inflater = new Inflater(true); // raw deflate: the gzip framing is read here
        }
        return this.inflater;
    }

    /** Frees the native memory; idempotent, from any thread. */
    void end() {
        this.lock.lock();
        try {
            this.ended = true;
            if (this.inflater != null) {
                this.inflater.end();
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Whether an inflater was made and not yet ended (for tests). */
    public boolean holdsNativeMemory() {
        this.lock.lock();
        try {
            return this.inflater != null && !this.ended;
        }
        finally {
            this.lock.unlock();
        }
    }
}
