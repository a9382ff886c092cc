package dev.strata.bench.http;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client over one keep-alive socket, for measuring a server without the cost
 * of a general-purpose client: the calling thread writes the request and reads the response
 * (status line, headers, a {@code Content-Length} body) itself, with no selector thread, no
 * hand-off to another thread and no pipelining. Not thread-safe: one per client thread.
 *
 * <p>It sends no {@code Accept-Encoding} (responses come uncompressed) and understands only what
 * the Strata API answers: bodies with a {@code Content-Length}. Anything else fails loudly.
 */
public final class LoopbackClient implements AutoCloseable {

    /** A response: its status code and body. */
    public record Response(int status, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final String host;
    private final int port;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private final StringBuilder line = new StringBuilder(128);

    public LoopbackClient(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public Response get(String path) throws IOException {
        return exchange("GET", path, null);
    }

    public Response post(String path, byte[] json) throws IOException {
        return exchange("POST", path, json);
    }

    private Response exchange(String method, String path, byte[] body) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(120_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        }
        StringBuilder head = new StringBuilder(160).append(method).append(' ').append(path)
                .append(" HTTP/1.1\r\nHost: ").append(host).append(':').append(port).append("\r\n");
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        if (body == null) {
            out.write(headBytes);
        } else {
            // One write, so the request leaves in as few segments as the socket allows.
            byte[] all = new byte[headBytes.length + body.length];
            System.arraycopy(headBytes, 0, all, 0, headBytes.length);
            System.arraycopy(body, 0, all, headBytes.length, body.length);
            out.write(all);
        }
        out.flush();
        String status = readLine();
        if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
            throw new IOException("unexpected status line: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        int length = -1;
        boolean close = false;
        for (String h = readLine(); !h.isEmpty(); h = readLine()) {
            int colon = h.indexOf(':');
            String name = h.substring(0, Math.max(colon, 0)).toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                length = Integer.parseInt(value);
            } else if (name.equals("transfer-encoding")) {
                throw new IOException("unsupported transfer-encoding: " + value);
            } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
                close = true;
            }
        }
        if (length < 0) {
            throw new IOException("response without Content-Length: " + status);
        }
        byte[] content = in.readNBytes(length);
        if (content.length != length) {
            throw new IOException("connection closed after " + content.length + " of " + length + " body bytes");
        }
        if (close) {
            close();
        }
        return new Response(code, content);
    }

    private String readLine() throws IOException {
        line.setLength(0);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the server");
            }
            if (b == '\n') {
                int n = line.length();
                if (n > 0 && line.charAt(n - 1) == '\r') {
                    line.setLength(n - 1);
                }
                return line.toString();
            }
            line.append((char) b);
        }
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
