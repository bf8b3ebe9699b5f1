package dev.keepalive.transport.internal.body;

import java.io.IOException;
import java.io.InputStream;

/**
 * A response body stream whose one-byte {@link #read()} goes through its array read, so that every rule of a read
 * (phases, the end of the body, failures, reachability) is written once, in {@link #read(byte[], int, int)}. The
 * one-byte array is made on the first such read: most bodies are read in bulk and never need it.
 */
abstract class BodyStream extends InputStream {

    private byte[] one;

    @Override
    public final int read() throws IOException {
        if (this.one == null) {
            this.one = new byte[1];
        }
        int n = read(this.one, 0, 1);
        return n == -1 ? -1 : this.one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;
}
