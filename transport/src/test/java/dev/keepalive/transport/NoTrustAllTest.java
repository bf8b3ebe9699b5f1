package dev.keepalive.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS verification has no off switch: the main sources of transport and autoconfigure hold none of the
 * usual ways to trust every certificate or skip host-name verification.
 */
class NoTrustAllTest {

    private static final List<Pattern> TRUST_ALL = List.of(
            Pattern.compile("TrustAllStrategy"),
            Pattern.compile("TrustSelfSignedStrategy"),
            Pattern.compile("NoopHostnameVerifier"),
            Pattern.compile("InsecureTrustManagerFactory"),
            Pattern.compile("setHostnameVerifier"),
            Pattern.compile("setDefaultHostnameVerifier"),
            Pattern.compile("setEndpointIdentificationAlgorithm\\(\\s*(null|\"\")"),
            Pattern.compile("implements\\s+[\\w.,\\s]*X509(Extended)?TrustManager"),
            Pattern.compile("extends\\s+X509ExtendedTrustManager"),
            Pattern.compile("checkServerTrusted\\([^)]*\\)\\s*(throws [\\w.,\\s]+)?\\{\\s*}"),
            Pattern.compile("HostnameVerifier\\s*\\(?\\s*\\w*\\s*->\\s*true|\\(\\s*\\w+\\s*,\\s*\\w+\\s*\\)\\s*->\\s*true"));

    @Test
    void noTrustAllCodePathInMainSources() throws IOException {
        List<Path> roots = List.of(Path.of("src/main/java"), Path.of("../autoconfigure/src/main/java"));
        List<Path> sources = new ArrayList<>();
        for (Path root : roots) {
            assertThat(root).as("sources to scan (run from the transport module)").isDirectory();
            try (Stream<Path> files = Files.walk(root)) {
                files.filter((f) -> f.toString().endsWith(".java")).forEach(sources::add);
            }
        }
        assertThat(sources).anySatisfy((f) -> assertThat(f.getFileName()).hasToString("Connector.java"));
        List<String> findings = new ArrayList<>();
        for (Path source : sources) {
            String text = Files.readString(source);
            for (Pattern pattern : TRUST_ALL) {
                if (pattern.matcher(text).find()) {
                    findings.add(source + ": " + pattern.pattern());
                }
            }
        }
        assertThat(findings).as("trust-all patterns in main sources").isEmpty();
    }

    @Test
    void theScanWouldSeeATrustAllManager() {
        String trustAll = "class T implements X509TrustManager {\n public void checkServerTrusted(X509Certificate[] c, "
                + "String a) throws CertificateException {\n }\n}";
        assertThat(TRUST_ALL).anySatisfy((p) -> assertThat(p.matcher(trustAll).find()).isTrue());
        assertThat(TRUST_ALL).anySatisfy((p) ->
                assertThat(p.matcher("params.setEndpointIdentificationAlgorithm(null);").find()).isTrue());
    }

    @Test
    void hostNameVerificationIsSetInTheConnector() throws IOException {
        String connector = Files.readString(Path.of("src/main/java/dev/keepalive/transport/internal/exchange/Connector.java"));
        assertThat(connector).contains("setEndpointIdentificationAlgorithm(\"HTTPS\")");
    }
}
