package dev.keepalive.transport;

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
 * A real Debian {@code tinyproxy} on 127.0.0.1, started in the foreground with its own configuration in a
 * temporary directory and stopped through its own {@link Process} handle. Tests that use it are skipped,
 * with a message that says so, only when tinyproxy is not installed.
 *
 * <p>tinyproxy adds {@code Via: 1.1 <host> (tinyproxy/…)} to what it forwards, answers one request per
 * client connection (closing it afterwards, with no {@code Connection: close}), and tunnels {@code CONNECT}
 * only to the ports it is told.
 */
final class Tinyproxy implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private Tinyproxy(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The tinyproxy binary, or a skipped test when it is not installed. */
    static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/sbin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "tinyproxy");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        for (String dir : new String[] { "/usr/bin", "/usr/sbin" }) {
            if (Files.isExecutable(Path.of(dir, "tinyproxy"))) {
                return dir + "/tinyproxy";
            }
        }
        Assumptions.abort("tinyproxy is not installed (apt-get install tinyproxy; .ci/run does it)");
        return null;
    }

    /**
     * Starts tinyproxy in {@code dir}, tunnelling CONNECT to {@code connectPorts} only, and asking for Basic
     * credentials {@code user}/{@code password} when {@code user} is not {@code null}.
     */
    static Tinyproxy start(Path dir, String user, String password, int... connectPorts) throws IOException {
        String binary = binary();
        int port = freePort();
        Path log = dir.resolve("tinyproxy.log");
        List<String> config = new ArrayList<>(List.of("Port " + port, "Listen 127.0.0.1", "Allow 127.0.0.1",
                "Timeout 30", "MaxClients 50", "LogLevel Info", "LogFile \"" + log + "\"",
                "PidFile \"" + dir.resolve("tinyproxy.pid") + "\""));
        for (int connectPort : connectPorts) {
            config.add("ConnectPort " + connectPort);
        }
        if (user != null) {
            config.add("BasicAuth " + user + " " + password);
        }
        Path file = Files.write(dir.resolve("tinyproxy.conf"), config);
        Process process = new ProcessBuilder(binary, "-d", "-c", file.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("tinyproxy.out").toFile())
                .start();
        Tinyproxy proxy = new Tinyproxy(process, port, log);
        try {
            await("tinyproxy listens on 127.0.0.1:" + port).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20)).until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("tinyproxy exited with " + process.exitValue() + ": "
                                    + Files.readString(dir.resolve("tinyproxy.out")));
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

    int port() {
        return this.port;
    }

    /** {@code http://127.0.0.1:port}, optionally with user-info. */
    String url(String userInfo) {
        return "http://" + (userInfo == null ? "" : userInfo + "@") + "127.0.0.1:" + this.port;
    }

    /** What the proxy is called in route names and messages. */
    String name() {
        return "http://127.0.0.1:" + this.port;
    }

    String log() throws IOException {
        return Files.exists(this.log) ? Files.readString(this.log) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
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
