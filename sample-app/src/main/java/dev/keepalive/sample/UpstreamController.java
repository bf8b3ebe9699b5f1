package dev.keepalive.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The upstream the demos call when {@code demo.upstream-url} is not set: bodies of a chosen size, with a
 * {@code Content-Length} or chunked, and a slow route. Sizes and delays are capped so that a stray request
 * cannot exhaust the server.
 */
@RestController
public class UpstreamController {

    /** The largest body served: 64 MiB. */
    static final long MAX_BYTES = 64L * 1024 * 1024;

    /** The longest delay served: 30 s. */
    static final long MAX_DELAY_MILLIS = 30_000;

    private static final int CHUNK = 8192;

    /**
     * {@code n} bytes with a {@code Content-Length}.
     * @param n the body size, 0 to {@value #MAX_BYTES}
     * @param response the servlet response written to
     * @throws IOException when the client goes away
     */
    @GetMapping("/upstream/bytes/{n}")
    public void bytes(@PathVariable long n, HttpServletResponse response) throws IOException {
        checkSize(n);
        response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
        response.setContentLengthLong(n);
        write(response.getOutputStream(), n, false);
    }

    /**
     * {@code n} bytes without a length, sent with {@code Transfer-Encoding: chunked}.
     * @param n the body size, 0 to {@value #MAX_BYTES}
     * @param response the servlet response written to
     * @throws IOException when the client goes away
     */
    @GetMapping("/upstream/chunked/{n}")
    public void chunked(@PathVariable long n, HttpServletResponse response) throws IOException {
        checkSize(n);
        response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
        // Committing the headers before any byte is written, with no length set, makes the server chunk.
        response.flushBuffer();
        write(response.getOutputStream(), n, true);
    }

    /**
     * A small text body after a delay.
     * @param ms the delay, 0 to {@value #MAX_DELAY_MILLIS}
     * @return a line that says how long it waited
     * @throws InterruptedException when the server shuts down meanwhile
     */
    @GetMapping(path = "/upstream/slow/{ms}", produces = MediaType.TEXT_PLAIN_VALUE)
    public String slow(@PathVariable long ms) throws InterruptedException {
        if (ms < 0 || ms > MAX_DELAY_MILLIS) {
            throw new IllegalArgumentException("ms must be between 0 and " + MAX_DELAY_MILLIS + "; got " + ms);
        }
        Thread.sleep(ms);
        return "waited " + ms + " ms\n";
    }

    private static void checkSize(long n) {
        if (n < 0 || n > MAX_BYTES) {
            throw new IllegalArgumentException("n must be between 0 and " + MAX_BYTES + "; got " + n);
        }
    }

    private static void write(OutputStream out, long n, boolean flushEachChunk) throws IOException {
        byte[] chunk = new byte[CHUNK];
        byte[] pattern = "keepalive\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = pattern[i % pattern.length];
        }
        long left = n;
        while (left > 0) {
            int size = (int) Math.min(left, chunk.length);
            out.write(size == chunk.length ? chunk : Arrays.copyOf(chunk, size));
            if (flushEachChunk) {
                out.flush();
            }
            left -= size;
        }
        out.flush();
    }

}
