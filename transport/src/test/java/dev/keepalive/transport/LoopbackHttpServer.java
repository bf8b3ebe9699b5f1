package dev.keepalive.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small, fast HTTP/1.1 server on 127.0.0.1 for load tests, one thread per connection. It counts the
 * connections it accepted and those still open, so a test can check that no socket is left behind.
 * Routes: {@code /bytes/N} (N bytes, Content-Length), {@code /chunked/N} (N bytes, chunked),
 * {@code /gzip/N} (N bytes gzip-compressed, Content-Length), {@code /error} (500 with a small body),
 * {@code /close/N} (N bytes then {@code Connection: close}).
 * Requests must not carry a body.
 */
final class LoopbackHttpServer implements AutoCloseable {

    private static final byte[] FILL = "0123456789abcdef".repeat(4096).getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket listener;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final int idleTimeoutMillis;
    private volatile boolean closed;

    LoopbackHttpServer() throws IOException {
        this(0);
    }

    /** A server that closes a keep-alive connection idle for {@code idleTimeoutMillis} (0 = never). */
    LoopbackHttpServer(int idleTimeoutMillis) throws IOException {
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.listener = new ServerSocket(0, 512, InetAddress.getByName("127.0.0.1"));
        this.acceptor = new Thread(this::acceptLoop, "loopback-http-acceptor");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + this.listener.getLocalPort() + path);
    }

    int accepted() {
        return this.accepted.get();
    }

    /** Connections accepted and not yet closed by either side. */
    int openConnections() {
        return this.open.size();
    }

    private void acceptLoop() {
        while (!this.closed) {
            try {
                Socket socket = this.listener.accept();
                this.accepted.incrementAndGet();
                this.open.add(socket);
                Thread worker = new Thread(() -> serve(socket), "loopback-http-" + this.accepted.get());
                worker.setDaemon(true);
                worker.start();
            }
            catch (IOException ex) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16384);
            while (!this.closed) {
                String target = readRequestHead(in);
                if (target == null || !respond(target, out)) {
                    return;
                }
                // Like a real server, close keep-alive connections idle between requests, not new ones.
                socket.setSoTimeout(this.idleTimeoutMillis);
            }
        }
        catch (IOException ex) {
            // the client reset or closed the connection, or it idled out: all part of what is tested
        }
        finally {
            this.open.remove(socket);
        }
    }

    /** Reads the request line and headers (requests carry no body here); null at EOF. */
    private static String readRequestHead(InputStream in) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null) {
            return null;
        }
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            // headers are not needed
        }
        String[] parts = requestLine.split(" ");
        return parts.length > 1 ? parts[1] : "/";
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                int len = sb.length();
                return (len > 0 && sb.charAt(len - 1) == '\r') ? sb.substring(0, len - 1) : sb.toString();
            }
            sb.append((char) b);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** Writes the response; false when the connection must close afterwards. */
    private static boolean respond(String target, OutputStream out) throws IOException {
        if (target.startsWith("/bytes/")) {
            writeFixed(out, 200, size(target, "/bytes/"), false);
            return true;
        }
        if (target.startsWith("/chunked/")) {
            writeChunked(out, size(target, "/chunked/"));
            return true;
        }
        if (target.startsWith("/gzip/")) {
            writeGzip(out, size(target, "/gzip/"));
            return true;
        }
        if (target.startsWith("/close/")) {
            writeFixed(out, 200, size(target, "/close/"), true);
            return false;
        }
        writeFixed(out, target.startsWith("/error") ? 500 : 404, 32, false);
        return true;
    }

    private static int size(String target, String prefix) {
        String rest = target.substring(prefix.length());
        int q = rest.indexOf('?');
        return Integer.parseInt(q >= 0 ? rest.substring(0, q) : rest);
    }

    private static void writeFixed(OutputStream out, int status, int length, boolean close) throws IOException {
        String head = "HTTP/1.1 " + status + (status == 200 ? " OK" : " Error") + "\r\nContent-Length: " + length
                + "\r\nContent-Type: application/octet-stream\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        writeFill(out, length);
        out.flush();
    }

    private static void writeChunked(OutputStream out, int length) throws IOException {
        out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        int left = length;
        while (left > 0) {
            int n = Math.min(left, 8192);
            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            writeFill(out, n);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            left -= n;
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void writeGzip(OutputStream out, int length) throws IOException {
        java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(compressed)) {
            writeFill(gzip, length);
        }
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + compressed.size() + "\r\nContent-Encoding: gzip\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        compressed.writeTo(out);
        out.flush();
    }

    private static void writeFill(OutputStream out, int length) throws IOException {
        int left = length;
        while (left > 0) {
            int n = Math.min(left, FILL.length);
            out.write(FILL, 0, n);
            left -= n;
        }
    }

    @Override
    public void close() {
        this.closed = true;
        try {
            this.listener.close();
        }
        catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : this.open) {
            try {
                socket.close();
            }
            catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
