package dev.keepalive.benchmarks.jmh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A keep-alive HTTP/1.1 server on 127.0.0.1 that answers every request with the same small response in one
 * write, with TCP_NODELAY (the JDK's own HttpServer writes head and body apart and meets delayed ACKs: 40 ms
 * a request). One daemon thread per connection; requests must have no body. Close it to stop.
 */
public final class FixedResponseServer implements AutoCloseable {

    private final ServerSocket listener;
    private final byte[] response;

    /** Starts serving {@code bodyLength} bytes on a free port. */
    public FixedResponseServer(int bodyLength) throws IOException {
        String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + bodyLength + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        this.response = new byte[headBytes.length + bodyLength];
        System.arraycopy(headBytes, 0, this.response, 0, headBytes.length);
        this.listener = new ServerSocket(0, 512, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(this::accept, "fixed-response-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port it listens on. */
    public int port() {
        return this.listener.getLocalPort();
    }

    private void accept() {
        try {
            while (true) {
                Socket socket = this.listener.accept();
                Thread worker = new Thread(() -> serve(socket), "fixed-response-worker");
                worker.setDaemon(true);
                worker.start();
            }
        }
        catch (IOException ex) {
            // the listener was closed
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            socket.setTcpNoDelay(true);
            byte[] buffer = new byte[8192];
            int matched = 0;
            int n;
            while ((n = in.read(buffer)) != -1) {
                // Count request heads by their blank line; answer each one.
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
                    if (matched == 4) {
                        out.write(this.response);
                        matched = 0;
                    }
                }
            }
        }
        catch (IOException ex) {
            // the client closed the connection
        }
    }

    @Override
    public void close() throws IOException {
        this.listener.close();
    }
}
