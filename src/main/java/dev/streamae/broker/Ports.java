package dev.streamae.broker;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Loopback port helpers. A free port is found by binding port 0 and releasing it; it can be taken
 * before Kafka binds it, so callers retry on a {@link #isBindFailure bind failure}.
 */
final class Ports {

    static final String HOST = "127.0.0.1";

    private Ports() {
    }

    /** An open socket on a free loopback port; close it before handing the port to Kafka. */
    static ServerSocket freeSocket() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
        return s;
    }

    /** Whether the port can be bound on the loopback address right now. */
    static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Kafka wraps the {@link BindException} of its acceptors; look through the whole cause chain. */
    static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }
}
