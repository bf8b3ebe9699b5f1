package com.example.keepalive;

import java.util.Arrays;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A user's application: it serves an upstream on its own port and calls it through Boot's builders.
 */
@SpringBootApplication
public class ReportApplication {

    @RestController
    static class UpstreamController {

        /** {@code n} bytes with a Content-Length. */
        @GetMapping("/upstream/bytes/{n}")
        ResponseEntity<byte[]> bytes(@PathVariable int n) {
            byte[] body = new byte[n];
            Arrays.fill(body, (byte) 'x');
            return ResponseEntity.ok(body);
        }

        /** The client's local port, which tells which connection carried the request. */
        @GetMapping("/upstream/port")
        String port(HttpServletRequest request) {
            return String.valueOf(request.getRemotePort());
        }

    }

}
