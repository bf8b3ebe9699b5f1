package dev.keepalive.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw HTTP/1.1 server on 127.0.0.1 for byte-level faults: it accepts on a thread, counts connections,
 * and runs a scripted {@link Script} per connection, each on its own thread. When a script returns without
 * closing its socket, the peer keeps reading until the client closes it, so that {@link #open()} tells
 * whether the client left a socket open. Closing the peer closes every socket it accepted.
 */
final class RawPeer implements AutoCloseable {

    /** What the server does on one connection; the argument is that connection. */
    @FunctionalInterface
    interface Script {
        void run(Conn conn) throws Exception;
    }

    private final ServerSocket server;
    private final Script script;
    private final Thread acceptor;
    private final List<Conn> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    RawPeer(Script script) throws IOException {
        this(new ServerSocket(), script);
    }

    /**
     * A TLS peer: {@code sockets} makes the listening socket (for example from OkHttp's
     * {@code HandshakeCertificates.sslContext().getServerSocketFactory()}); the handshake runs on the
     * script's first read, so a client that refuses the certificate shows up as a script that failed.
     */
    static RawPeer tls(javax.net.ssl.SSLServerSocketFactory sockets, Script script) throws IOException {
        return new RawPeer(sockets.createServerSocket(), script);
    }

    private RawPeer(ServerSocket server, Script script) throws IOException {
        this.script = script;
        this.server = server;
        this.server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        this.acceptor = new Thread(this::acceptLoop, "raw-peer-" + this.server.getLocalPort());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** A peer that answers every request on a connection with {@code response}, keeping the connection. */
    static RawPeer answering(String response) throws IOException {
        return new RawPeer((conn) -> {
            while (conn.readRequest() != null) {
                conn.write(response);
            }
        });
    }

    /** An HTTP/1.1 200 response with {@code body} and a Content-Length, plus any extra header lines. */
    static String ok(String body, String... headers) {
        StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Length: ").append(body.length()).append("\r\n");
        for (String header : headers) {
            sb.append(header).append("\r\n");
        }
        return sb.append("\r\n").append(body).toString();
    }

    int port() {
        return this.server.getLocalPort();
    }

    URI uri(String path) {
        return URI.create(route() + path);
    }

    /** The route name the transport shows for this peer. */
    String route() {
        return (this.server instanceof javax.net.ssl.SSLServerSocket ? "https" : "http") + "://127.0.0.1:" + port();
    }

    /** Connections accepted so far. */
    int accepted() {
        return this.accepted.get();
    }

    /** A request as the peer read it: head and body, and the index of the connection it came on. */
    record Received(int connection, String text) {

        String requestLine() {
            return this.text.substring(0, this.text.indexOf("\r\n"));
        }

        String body() {
            return this.text.substring(this.text.indexOf("\r\n\r\n") + 4);
        }
    }

    /** Requests read so far, on every connection, in order. */
    List<Received> received() {
        return List.copyOf(this.received);
    }

    /** Accepted connections whose socket is still open (neither side has closed it yet). */
    int open() {
        return this.open.get();
    }

    /** The connections accepted so far, in order. */
    List<Conn> connections() {
        return List.copyOf(this.connections);
    }

    private void acceptLoop() {
        while (!this.closed) {
            Socket socket;
            try {
                socket = this.server.accept();
            }
            catch (IOException ex) {
                return; // closed
            }
            Conn conn = new Conn(this, socket, this.accepted.getAndIncrement());
            this.open.incrementAndGet();
            this.connections.add(conn);
            Thread thread = new Thread(() -> serve(conn), "raw-peer-" + port() + "-conn-" + conn.index);
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void serve(Conn conn) {
        try {
            this.script.run(conn);
            if (!conn.socket.isClosed()) {
                conn.awaitClientClose();
            }
        }
        catch (Exception ex) {
            // the client went away in the middle of the script: that is what some tests do
        }
        finally {
            conn.close();
        }
    }

    @Override
    public void close() {
        this.closed = true;
        try {
            this.server.close();
        }
        catch (IOException ignored) {
            // nothing to do
        }
        this.connections.forEach(Conn::close);
    }

    /** One accepted connection, as its script sees it. */
    static final class Conn {

        private final RawPeer peer;
        final Socket socket;
        final int index;
        private final InputStream in;
        private final OutputStream out;
        private final AtomicInteger closeOnce = new AtomicInteger();

        Conn(RawPeer peer, Socket socket, int index) {
            this.peer = peer;
            this.socket = socket;
            this.index = index;
            try {
                this.in = socket.getInputStream();
                this.out = socket.getOutputStream();
            }
            catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }

        /**
         * Reads one request: its head, and its body when it has a {@code Content-Length} or is chunked.
         * Returns {@code null} when the client closed the connection before another request.
         */
        String readRequest() throws IOException {
            String head = readHead();
            if (head == null) {
                return null;
            }
            String lower = head.toLowerCase(Locale.ROOT);
            int at = lower.indexOf("\r\ncontent-length:");
            String body = "";
            if (at >= 0) {
                int end = lower.indexOf("\r\n", at + 2);
                int length = Integer.parseInt(head.substring(at + 17, end).trim());
                body = new String(this.in.readNBytes(length), StandardCharsets.ISO_8859_1);
            }
            else if (lower.contains("\r\ntransfer-encoding: chunked")) {
                body = readChunked();
            }
            this.peer.received.add(new Received(this.index, head + body));
            return head + body;
        }

        /** Like {@link #readRequest()}, but closes the connection and returns {@code null} after {@code idle}. */
        String readRequest(Duration idle) throws IOException {
            this.socket.setSoTimeout((int) idle.toMillis());
            try {
                return readRequest();
            }
            catch (SocketTimeoutException ex) {
                close();
                return null;
            }
            finally {
                if (!this.socket.isClosed()) {
                    this.socket.setSoTimeout(0);
                }
            }
        }

        /** Reads one request head and not its body; {@code null} when the client closed first. */
        String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            int b;
            while (matched < 4 && (b = this.in.read()) != -1) {
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            return matched < 4 ? null : head.toString(StandardCharsets.ISO_8859_1);
        }

        private String readChunked() throws IOException {
            StringBuilder body = new StringBuilder();
            while (true) {
                int size = Integer.parseInt(readLine().trim(), 16);
                if (size == 0) {
                    readLine();
                    return body.toString();
                }
                body.append(new String(this.in.readNBytes(size), StandardCharsets.ISO_8859_1));
                readLine();
            }
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = this.in.read()) != -1 && b != '\n') {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        /** Reads exactly {@code n} bytes (a body whose length the test knows); fewer only if the client closed. */
        String readExactly(int n) throws IOException {
            return new String(this.in.readNBytes(n), StandardCharsets.ISO_8859_1);
        }

        /**
         * What the client sends within {@code window}, read until it pauses that long: {@code ""} when nothing came,
         * {@code null} when it closed the connection without sending anything. The peer's own pace, not a wait
         * for a condition.
         */
        String readWithin(Duration window) throws IOException {
            this.socket.setSoTimeout((int) window.toMillis());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                int b;
                while ((b = this.in.read()) != -1) {
                    got.write(b);
                }
                if (got.size() == 0) {
                    return null;
                }
            }
            catch (SocketTimeoutException ex) {
                // it paused: what came so far is the answer
            }
            finally {
                if (!this.socket.isClosed()) {
                    this.socket.setSoTimeout(0);
                }
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }

        void write(String text) throws IOException {
            write(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        void write(byte[] bytes) throws IOException {
            this.out.write(bytes);
            this.out.flush();
        }

        /** Reads (and drops) whatever the client sends until it closes the connection. */
        void awaitClientClose() throws IOException {
            byte[] buffer = new byte[8192];
            while (this.in.read(buffer) != -1) {
                // discard
            }
        }

        /** Closes the socket with a TCP reset (SO_LINGER 0) instead of a FIN: the client's next read fails. */
        void reset() throws IOException {
            this.socket.setSoLinger(true, 0);
            close();
        }

        /** The peer's own pace (a slow server), not a wait for a condition. */
        void pause(Duration duration) throws InterruptedException {
            Thread.sleep(duration.toMillis());
        }

        /** Closes the socket from the server's side. Idempotent. */
        void close() {
            if (this.closeOnce.getAndIncrement() == 0) {
                try {
                    this.socket.close();
                }
                catch (IOException ignored) {
                    // nothing more to release
                }
                this.peer.open.decrementAndGet();
            }
        }
    }
}
