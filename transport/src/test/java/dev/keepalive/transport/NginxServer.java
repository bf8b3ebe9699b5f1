package dev.keepalive.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real nginx (Debian's package) on a free 127.0.0.1 port, in the foreground as one process with its own
 * temporary prefix and configuration, stopped by its own process handle. Tests that use it are skipped,
 * with a message, only where nginx is not installed ({@code .ci/run} installs it).
 */
final class NginxServer implements AutoCloseable {

    private final Path prefix;
    private final Process process;
    private final int port;

    private NginxServer(Path prefix, Process process, int port) {
        this.prefix = prefix;
        this.process = process;
        this.port = port;
    }

    /** The nginx binary, or a skipped test when there is none. */
    static Path binary() {
        for (String candidate : new String[] { "/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx" }) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return path;
            }
        }
        assumeTrue(false, "nginx is not installed (Debian: apt-get install nginx-light); skipping the real-server test");
        return null;
    }

    /**
     * Starts nginx with {@code httpBlock} (the directives inside {@code http { … }}, where {@code $PORT} stands
     * for the listening port) and waits until it accepts connections.
     */
    static NginxServer start(String httpBlock) throws IOException {
        Path nginx = binary();
        Path prefix = Files.createTempDirectory("keepalive-nginx");
        int port = freePort();
        Path temp = Files.createDirectories(prefix.resolve("temp"));
        Files.createDirectories(prefix.resolve("logs"));
        // Debian builds nginx with absolute temp paths under /var/lib/nginx: point every one into the prefix.
        String conf = """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log info;
                events { worker_connections 64; }
                http {
                  access_log off;
                  server_tokens off;
                  client_body_temp_path %2$s/client;
                  proxy_temp_path %2$s/proxy;
                  fastcgi_temp_path %2$s/fastcgi;
                  uwsgi_temp_path %2$s/uwsgi;
                  scgi_temp_path %2$s/scgi;
                %3$s
                }
                """.formatted(prefix, temp, httpBlock.replace("$PORT", Integer.toString(port)));
        Path confFile = prefix.resolve("nginx.conf");
        Files.writeString(confFile, conf, StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(nginx.toString(), "-p", prefix.toString(), "-e",
                prefix.resolve("logs/error.log").toString(), "-c", confFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
                .start();
        NginxServer server = new NginxServer(prefix, process, port);
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("nginx exited with " + process.exitValue() + ": "
                                    + server.log());
                        }
                        return server.accepts();
                    });
        }
        catch (RuntimeException ex) {
            server.close();
            throw ex;
        }
        return server;
    }

    /** The prefix directory: {@code logs/} holds what nginx wrote. */
    Path prefix() {
        return this.prefix;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + this.port + path);
    }

    /** nginx's error log and console output, for a failure message. */
    String log() {
        StringBuilder text = new StringBuilder();
        for (String name : new String[] { "logs/error.log", "logs/stdout.log" }) {
            try {
                text.append(Files.readString(this.prefix.resolve(name), StandardCharsets.UTF_8));
            }
            catch (IOException ex) {
                // not written yet
            }
        }
        return text.toString();
    }

    private boolean accepts() {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), this.port), 200);
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /** Stops nginx by its own process handle (TERM, then KILL) and removes its prefix. */
    @Override
    public void close() {
        this.process.destroy();
        try {
            if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
                this.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            this.process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(this.prefix)) {
            files.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
        }
        catch (IOException ex) {
            // a temporary directory left behind is harmless
        }
    }
}
