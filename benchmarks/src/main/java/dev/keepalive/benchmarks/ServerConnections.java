package dev.keepalive.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Reads the "accepts" counter of nginx's {@code stub_status} page: how many connections the server has
 * accepted since it started. Each read uses its own short connection, which nginx counts as well;
 * {@link #acceptedSince(long)} takes that one away.
 */
public final class ServerConnections {

    private final String host;
    private final int port;
    private final String statusPath;

    /**
     * @param host the server's address
     * @param port the server's port
     * @param statusPath the path of the stub_status location
     */
    public ServerConnections(String host, int port, String statusPath) {
        this.host = host;
        this.port = port;
        this.statusPath = statusPath;
    }

    /** The server's accepted-connections counter now (including this read's own connection). */
    public long accepted() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(this.host, this.port), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + this.statusPath + " HTTP/1.1\r\nHost: " + this.host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return parseAccepts(readAll(socket.getInputStream()));
        }
    }

    /** Connections accepted since a reading of {@code before}, not counting the reads themselves. */
    public long acceptedSince(long before) throws IOException {
        return accepted() - before - 1;
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] chunk = new byte[1024];
        int n;
        while ((n = in.read(chunk)) != -1 && buffer.size() < 64 * 1024) {
            buffer.write(chunk, 0, n);
        }
        return buffer.toString(StandardCharsets.US_ASCII);
    }

    /** Finds the first number of the line after "server accepts handled requests". */
    static long parseAccepts(String response) {
        String[] lines = response.split("\r?\n");
        for (int i = 0; i < lines.length - 1; i++) {
            if (lines[i].trim().startsWith("server accepts")) {
                return Long.parseLong(lines[i + 1].trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("not a stub_status page: " + response);
    }
}
