package dev.streamae.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Requests to a loopback-bound dashboard must name a loopback host (DNS rebinding). */
class HttpSupportTest {

    @Test
    void acceptsLoopbackNamesWithOrWithoutPort() {
        assertThat(HttpSupport.isLoopbackHost("localhost:8080")).isTrue();
        assertThat(HttpSupport.isLoopbackHost("127.0.0.1")).isTrue();
        assertThat(HttpSupport.isLoopbackHost("LOCALHOST")).isTrue();
        assertThat(HttpSupport.isLoopbackHost("[::1]:8080")).isTrue();
    }

    @Test
    void rejectsOtherHostsAndMissingHost() {
        assertThat(HttpSupport.isLoopbackHost("evil.example:8080")).isFalse();
        assertThat(HttpSupport.isLoopbackHost("localhost.evil.example")).isFalse();
        assertThat(HttpSupport.isLoopbackHost("127.0.0.1.nip.io")).isFalse();
        assertThat(HttpSupport.isLoopbackHost(null)).isFalse();
    }
}
