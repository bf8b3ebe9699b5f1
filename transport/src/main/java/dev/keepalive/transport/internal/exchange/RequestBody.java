package dev.keepalive.transport.internal.exchange;

import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.springframework.http.StreamingHttpOutputMessage;

/**
 * A request body: bytes that the application wrote to {@code getBody()} (buffered, so it can be sent
 * again), or a Spring streaming {@link StreamingHttpOutputMessage.Body}, repeatable only when it says so.
 */
abstract sealed class RequestBody {

    /** Whether the body can be sent a second time (for the retry on a stale connection, or a 307). */
    abstract boolean repeatable();

    /**
     * The entity to send; {@code declaredLength} is the application's {@code Content-Length} (-1 for none),
     * used by a stream, whose length is otherwise unknown.
     */
    abstract HttpEntity toEntity(long declaredLength);

    static RequestBody of(byte[] bytes) {
        return new Buffered(bytes);
    }

    static RequestBody of(StreamingHttpOutputMessage.Body body) {
        return new Streaming(body);
    }

    static final class Buffered extends RequestBody {

        private final byte[] bytes;

        Buffered(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        boolean repeatable() {
            return true;
        }

        @Override
        HttpEntity toEntity(long declaredLength) {
            byte[] content = this.bytes;
            return new AbstractHttpEntity((ContentType) null, null, false) {

                @Override
                public long getContentLength() {
                    return content.length;
                }

                @Override
                public InputStream getContent() {
                    return new ByteArrayInputStream(content);
                }

                @Override
                public boolean isStreaming() {
                    return false;
                }

                @Override
                public boolean isRepeatable() {
                    return true;
                }

                @Override
                public void writeTo(OutputStream out) throws IOException {
                    Sliced.write(out, content, 0, content.length);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    static final class Streaming extends RequestBody {

        private final StreamingHttpOutputMessage.Body body;

        Streaming(StreamingHttpOutputMessage.Body body) {
            this.body = body;
        }

        @Override
        boolean repeatable() {
            return this.body.repeatable();
        }

        @Override
        HttpEntity toEntity(long declaredLength) {
            long length = declaredLength;
            return new AbstractHttpEntity((ContentType) null, null, length < 0) {

                @Override
                public long getContentLength() {
                    return length;
                }

                @Override
                public InputStream getContent() {
                    throw new UnsupportedOperationException("A streaming request body can only be written");
                }

                @Override
                public boolean isStreaming() {
                    return !Streaming.this.body.repeatable();
                }

                @Override
                public boolean isRepeatable() {
                    return Streaming.this.body.repeatable();
                }

                @Override
                public void writeTo(OutputStream out) throws IOException {
                    Streaming.this.body.writeTo(new Sliced(out));
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /**
     * Passes writes on in pieces of at most {@link EarlyResponse#SLICE} bytes, so that an early response is
     * noticed between them instead of after one write that blocks until the server reads it all.
     */
    static final class Sliced extends FilterOutputStream {

        Sliced(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            write(this.out, b, off, len);
        }

        static void write(OutputStream out, byte[] b, int off, int len) throws IOException {
            for (int done = 0; done < len; done += EarlyResponse.SLICE) {
                out.write(b, off + done, Math.min(EarlyResponse.SLICE, len - done));
            }
        }

        @Override
        public void close() throws IOException {
            flush(); // the entity's stream is closed by HttpCore, not by the application's body
        }
    }
}
