package com.example.keepalive;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import static org.awaitility.Awaitility.await;

/**
 * A real Debian {@code tinyproxy} on 127.0.0.1 for the application tests, started in the foreground with
 * its own configuration in a temporary directory and stopped through its own {@link Process} handle (the
 * transport module's tests have their own, fuller one). Skipped with a message only when tinyproxy is not
 * installed.
 */
final class Tinyproxy implements AutoCloseable {

    private final Process process;

    private final int port;

    private Tinyproxy(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts tinyproxy asking for Basic credentials {@code user}/{@code password}, tunnelling CONNECT only to
     * {@code connectPort}.
     */
    static Tinyproxy start(Path dir, String user, String password, int connectPort) throws IOException {
        String binary = binary();
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = free.getLocalPort();
        }
        List<String> config = new ArrayList<>(List.of("Port " + port, "Listen 127.0.0.1", "Allow 127.0.0.1",
                "Timeout 30", "LogLevel Info", "LogFile \"" + dir.resolve("tinyproxy.log") + "\"",
                "PidFile \"" + dir.resolve("tinyproxy.pid") + "\"", "ConnectPort " + connectPort,
                "BasicAuth " + user + " " + password));
        Path file = Files.write(dir.resolve("tinyproxy.conf"), config);
        Process process = new ProcessBuilder(binary, "-d", "-c", file.toString()).redirectErrorStream(true)
            .redirectOutput(dir.resolve("tinyproxy.out").toFile())
            .start();
        Tinyproxy proxy = new Tinyproxy(process, port);
        try {
            await("tinyproxy listens on 127.0.0.1:" + port).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("tinyproxy exited: " + Files.readString(dir.resolve("tinyproxy.out")));
                    }
                    try (Socket probe = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
                        return true;
                    }
                    catch (IOException ex) {
                        return false;
                    }
                });
        }
        catch (RuntimeException ex) {
            proxy.close();
            throw ex;
        }
        return proxy;
    }

    private static String binary() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/bin", "/usr/sbin"));
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "tinyproxy"))) {
                return Path.of(dir, "tinyproxy").toString();
            }
        }
        Assumptions.abort("tinyproxy is not installed (apt-get install tinyproxy; .ci/run does it)");
        return null;
    }

    int port() {
        return this.port;
    }

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
    }

}
