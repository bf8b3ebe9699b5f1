package dev.keepalive.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.RestClient;

/**
 * Issue 15's allocation budget, measured as the harness measures it but on the calling thread alone, where
 * nearly all of a client's allocation happens, reading {@code byte[]} through {@code RestClient}: for a small
 * body keepalive allocates at most half of what tuned Apache does (issue 15's goal; a ratio of two clients in
 * one JVM, so that it holds whatever Spring's own share is; measured 0.43 after issue 15's allocation work), a
 * 64 KiB body costs one array of it and little else, and a 64 KiB gzip body at most two thirds of what it costs
 * tuned Apache.
 */
class AllocationBudgetTest {

    private static final int WARM_UP = 3000;
    private static final int MEASURED = 3000;

    private FileServer server;

    @BeforeEach
    void start() throws Exception {
        this.server = new FileServer();
    }

    @AfterEach
    void stop() throws Exception {
        this.server.close();
    }

    @Test
    void aSmallBodyCostsKeepaliveAtMostHalfOfWhatItCostsTunedApache() throws Exception {
        Costs costs = costs(Scenario.SMALL_PATH, "100 B");
        long keepalive = costs.keepalive();
        long apache = costs.apache();
        assertThat(keepalive).as("keepalive's bytes per request (apache-tuned: " + apache + ")")
                .isLessThanOrEqualTo(apache * 50 / 100);
    }

    /** The body's array is allocated once: no pieces copied together, no second buffer beside it. */
    @Test
    void aLargeBodyIsOneArrayAndLittleElse() throws Exception {
        Costs costs = costs(Scenario.LARGE_PATH, "64 KiB");
        long keepalive = costs.keepalive();
        long apache = costs.apache();
        assertThat(keepalive).as("keepalive's bytes per request (apache-tuned: " + apache + ")")
                .isLessThan(Scenario.LARGE_BYTES + 8 * 1024);
    }

    /**
     * The gzip scenario (64 KiB of JSON, chunked and compressed at level 1 as nginx sends it): keepalive decodes
     * into one array of the length the gzip trailer announces, where Apache's stream is read in 8 KiB pieces
     * copied together at the end (before that, keepalive cost what Apache does: 152 KB against 155 KB per request
     * in the harness).
     */
    @Test
    void aGzipBodyCostsKeepaliveAtMostTwoThirdsOfWhatItCostsTunedApache() throws Exception {
        Costs costs = costs(Scenario.GZIP_JSON_PATH, "64 KiB gzip");
        long keepalive = costs.keepalive();
        long apache = costs.apache();
        assertThat(keepalive).as("keepalive's bytes per request (apache-tuned: " + apache + ")")
                .isLessThanOrEqualTo(apache * 2 / 3);
    }

    /** Bytes per request on the calling thread for keepalive and tuned Apache, read from {@code path}. */
    private record Costs(long keepalive, long apache) {
    }

    private Costs costs(String path, String label) throws Exception {
        URI uri = uri(path);
        Costs costs = new Costs(bytesPerRequest(() -> KeepAliveFactories.open(null), uri),
                bytesPerRequest(SpringFactories::apacheTuned, uri));
        System.out.printf("bytes allocated per request on the calling thread, %s: keepalive %d, apache-tuned %d%n",
                label, costs.keepalive(), costs.apache());
        return costs;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + this.server.port() + path);
    }

    private static long bytesPerRequest(RequestFactoryHandle.Source factories, URI uri) throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        try (RequestFactoryHandle handle = factories.open()) {
            RestClient client = RestClient.builder().requestFactory(handle.factory()).build();
            long read = 0;
            for (int i = 0; i < WARM_UP; i++) {
                read += client.get().uri(uri).retrieve().body(byte[].class).length;
            }
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < MEASURED; i++) {
                read += client.get().uri(uri).retrieve().body(byte[].class).length;
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertThat(read).isPositive();
            return allocated / MEASURED;
        }
    }

    /**
     * nginx's two files on 127.0.0.1, one thread per connection, keep-alive for ever: a request head is
     * answered with the file its path names (any other path with 100 bytes), headers as nginx sends them.
     */
    private static final class FileServer implements AutoCloseable {

        private final ServerSocket listener = new ServerSocket(0, 64, InetAddress.getByName("127.0.0.1"));
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final byte[] small = response(Scenario.SMALL_BYTES);
        private final byte[] large = response(Scenario.LARGE_BYTES);
        private final byte[] gzipJson = gzipJsonResponse();

        FileServer() throws IOException {
            Thread acceptor = new Thread(this::accept, "allocation-budget-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return this.listener.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket socket = this.listener.accept();
                    this.sockets.add(socket);
                    Thread worker = new Thread(() -> serve(socket), "allocation-budget-connection");
                    worker.setDaemon(true);
                    worker.start();
                }
            }
            catch (IOException ex) {
                // closed
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                socket.setTcpNoDelay(true);
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                StringBuilder head = new StringBuilder();
                for (int b; (b = in.read()) != -1;) {
                    head.append((char) b);
                    if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                        out.write(head.indexOf(" " + Scenario.LARGE_PATH + " ") > 0 ? this.large
                                : head.indexOf(" " + Scenario.GZIP_JSON_PATH + " ") > 0 ? this.gzipJson : this.small);
                        out.flush();
                        head.setLength(0);
                    }
                }
            }
            catch (IOException ex) {
                // the client closed the connection
            }
        }

        private static byte[] response(int length) {
            String head = "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Sat, 05 Dec 2026 05:00:00 GMT\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n"
                    + "Last-Modified: Sat, 05 Dec 2026 04:00:00 GMT\r\nConnection: keep-alive\r\n"
                    + "ETag: \"69326c50-" + Integer.toHexString(length) + "\"\r\nAccept-Ranges: bytes\r\n\r\n";
            byte[] bytes = Arrays.copyOf(head.getBytes(StandardCharsets.US_ASCII), head.length() + length);
            Arrays.fill(bytes, head.length(), bytes.length, (byte) 'k');
            return bytes;
        }

        /** run.sh's JSON document (records padded with spaces to 64 KiB), gzip level 1 in one chunk, as nginx sends it. */
        private static byte[] gzipJsonResponse() {
            StringBuilder json = new StringBuilder("[");
            for (int i = 1; json.length() < 65400; i++) {
                json.append(i > 1 ? "," : "").append("{\"id\":").append(i).append(",\"name\":\"item-").append(i)
                        .append("\",\"active\":").append(i % 2 == 1).append(",\"tags\":[\"a\",\"b\"]}");
            }
            json.append(" ".repeat(Scenario.GZIP_JSON_BYTES - 1 - json.length())).append(']');
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(compressed) {
                {
                    this.def.setLevel(1);
                }
            }) {
                gzip.write(json.toString().getBytes(StandardCharsets.US_ASCII));
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            String head = "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Sat, 05 Dec 2026 05:00:00 GMT\r\n"
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n"
                    + "Content-Encoding: gzip\r\n\r\n" + Integer.toHexString(compressed.size()) + "\r\n";
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            response.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
            response.writeBytes(compressed.toByteArray());
            response.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return response.toByteArray();
        }

        @Override
        public void close() throws IOException {
            this.listener.close();
            for (Socket socket : this.sockets) {
                socket.close();
            }
        }
    }
}
