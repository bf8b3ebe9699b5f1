package dev.keepalive.transport.internal.exchange;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.SessionInputBuffer;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.message.BasicLineParser;
import org.apache.hc.core5.http.message.StatusLine;
import org.apache.hc.core5.util.CharArrayBuffer;

/**
 * Reads the status line and header lines of one response from a connection's input buffer, with HttpCore's
 * rules (its strict status-line parser, at most {@code maxEmptyLineCount} empty lines before the status line,
 * {@code maxHeaderCount} header lines, {@code maxLineLength} for a line folded from several, a header line
 * without a name before its colon or with white space before it refused) but with far less garbage.
 *
 * <p>HttpCore keeps a new 64-character buffer and a name string per header line, and makes a new value
 * string each time a value is asked for. One connection mostly gets the same head again and again (one
 * server, often one resource: only {@code Date} changes), so this reads every line into two buffers of its
 * own and hands back the header object of the same line of the connection's previous response, or its name,
 * when the text is the same. Headers and status lines are immutable, so sharing them between responses is
 * safe; {@code Set-Cookie} values are never kept beyond their response.
 *
 * <p>One per connection; used by the one exchange that holds the connection, never by two threads at once.
 */
final class ResponseHeadLines {

    /** Header lines remembered from the previous response, by position: enough for any common head. */
    private static final int REMEMBERED = 64;

    private final int maxHeaderCount;
    private final int maxLineLength;
    private final int maxEmptyLines;

    private CharArrayBuffer line = new CharArrayBuffer(128);
    /** The last header line read, not turned into a header yet: the next line may continue it (obs-fold). */
    private CharArrayBuffer pending = new CharArrayBuffer(128);
    private String statusText;
    private StatusLine status;
    private Header[] previous = new Header[16];

    ResponseHeadLines(Http1Config config) {
        this.maxHeaderCount = config.getMaxHeaderCount();
        this.maxLineLength = config.getMaxLineLength();
        this.maxEmptyLines = config.getMaxEmptyLineCount();
    }

    /** Reads one response head; {@link NoHttpResponseException} when the connection ends before a status line. */
    ClassicHttpResponse read(SessionInputBuffer buffer, InputStream in) throws IOException, HttpException {
        StatusLine statusLine = readStatusLine(buffer, in);
        BasicClassicHttpResponse response = new BasicClassicHttpResponse(statusLine.getStatusCode(),
                statusLine.getReasonPhrase());
        response.setVersion(statusLine.getProtocolVersion());
        int count = 0;
        this.pending.clear();
        while (true) {
            CharArrayBuffer current = this.line;
            current.clear();
            if (buffer.readLine(current, in) == -1 || current.isEmpty()) {
                break;
            }
            char first = current.charAt(0);
            if ((first == ' ' || first == '\t') && count > 0) {
                unfold(current);
            }
            else {
                if (count > 0) {
                    response.addHeader(header(this.pending, count - 1));
                }
                this.line = this.pending;
                this.pending = current;
                count++;
            }
            if (this.maxHeaderCount > 0 && count >= this.maxHeaderCount) {
                throw new MessageConstraintException("Maximum header count exceeded");
            }
        }
        if (count > 0) {
            response.addHeader(header(this.pending, count - 1));
        }
        return response;
    }

    private StatusLine readStatusLine(SessionInputBuffer buffer, InputStream in) throws IOException, HttpException {
        for (int n = 0; n < this.maxEmptyLines; n++) {
            this.line.clear();
            if (buffer.readLine(this.line, in) == -1) {
                throw new NoHttpResponseException("The target server failed to respond");
            }
            if (!this.line.isEmpty()) {
                if (this.status == null || !sameText(this.line, 0, this.line.length(), this.statusText)) {
                    this.status = BasicLineParser.INSTANCE.parseStatusLine(this.line);
                    this.statusText = this.line.toString();
                }
                return this.status;
            }
        }
        throw new MessageConstraintException("Maximum empty line limit exceeded");
    }

    /** An obs-fold line continues the pending header line: one space, then the line without its leading blanks. */
    private void unfold(CharArrayBuffer current) throws MessageConstraintException {
        int start = 0;
        while (start < current.length() && (current.charAt(start) == ' ' || current.charAt(start) == '\t')) {
            start++;
        }
        if (this.maxLineLength > 0 && this.pending.length() + 1 + current.length() - start > this.maxLineLength) {
            throw new MessageConstraintException("Maximum line length limit exceeded");
        }
        this.pending.append(' ');
        this.pending.append(current, start, current.length() - start);
    }

    /** The header of one line: the previous response's header at this position when its text is the same. */
    private Header header(CharArrayBuffer text, int position) throws ParseException {
        int colon = text.indexOf(':');
        if (colon <= 0 || isBlank(text.charAt(colon - 1))) {
            // The line is not quoted: it may carry a credential or a token.
            throw new ParseException("Invalid response header line: no name, or white space before its colon");
        }
        int nameStart = skipBlanks(text, 0, colon);
        if (nameStart == colon) {
            throw new ParseException("Invalid response header line: no name before its colon");
        }
        int valueStart = skipBlanks(text, colon + 1, text.length());
        int valueEnd = text.length();
        while (valueEnd > valueStart && isBlank(text.charAt(valueEnd - 1))) {
            valueEnd--;
        }
        Header before = position < this.previous.length ? this.previous[position] : null;
        boolean sameName = before != null && sameText(text, nameStart, colon, before.getName());
        if (sameName && sameText(text, valueStart, valueEnd, before.getValue())) {
            return before;
        }
        String name = sameName ? before.getName() : text.substring(nameStart, colon);
        Header header = new BasicHeader(name, text.substring(valueStart, valueEnd));
        remember(position, "Set-Cookie".equalsIgnoreCase(name) ? null : header);
        return header;
    }

    private void remember(int position, Header header) {
        if (position >= REMEMBERED) {
            return;
        }
        if (position >= this.previous.length) {
            this.previous = Arrays.copyOf(this.previous, REMEMBERED);
        }
        this.previous[position] = header;
    }

    private static int skipBlanks(CharArrayBuffer text, int from, int to) {
        int i = from;
        while (i < to && isBlank(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** HttpCore's white space in a head: space, tab, CR, LF. */
    private static boolean isBlank(char ch) {
        return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
    }

    private static boolean sameText(CharArrayBuffer text, int from, int to, String s) {
        if (s == null || s.length() != to - from) {
            return false;
        }
        char[] chars = text.array();
        for (int i = 0; i < s.length(); i++) {
            if (chars[from + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
