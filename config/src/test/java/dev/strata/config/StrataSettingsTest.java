package dev.strata.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StrataSettingsTest {

    @TempDir
    Path tmp;

    private StrataSettings parse(String overrides) {
        return StrataSettings.from(ConfigFactory.parseString(overrides)
                .withFallback(ConfigFactory.parseString("strata.cache.ssd.directory = \"" + tmp.resolve("ssd") + "\""))
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
    }

    private String failure(String overrides) {
        return assertThrows(SettingsException.class, () -> parse(overrides)).getMessage();
    }

    @Test
    void defaultsDescribeTheEmbeddedLocalNode() {
        StrataSettings s = parse("");
        assertEquals(StorageSettings.Kind.LOCAL, s.storage().kind());
        assertEquals(Path.of("./data"), s.storage().localDirectory());
        assertEquals(8080, s.http().port());
        assertEquals(4096, s.cache().pageSize());
        assertEquals(512L << 20, s.cache().memoryBytes());
        assertEquals(256L << 20, s.cache().decodedBytes());
        assertEquals(64 << 10, s.cache().coalesceWindow());
        assertTrue(s.cache().ssdEnabled());
        assertTrue(Files.isDirectory(tmp.resolve("ssd")), "the SSD directory is created at start-up");
    }

    @Test
    void readsS3Settings() {
        StrataSettings s = parse("""
                strata.storage { kind = s3, s3 { bucket = my-bucket, endpoint = "http://127.0.0.1:9000",
                  path-style = true, access-key-id = ak, secret-access-key = sk, prefix = "team/a" } }
                """);
        assertEquals(StorageSettings.Kind.S3, s.storage().kind());
        assertEquals("my-bucket", s.storage().s3().bucket());
        assertEquals("127.0.0.1", s.storage().s3().endpoint().orElseThrow().getHost());
        assertTrue(s.storage().s3().pathStyle());
        assertFalse(s.storage().s3().toString().contains("sk"), "the secret is never printed");
    }

    @Test
    void errorsNameTheKey() {
        assertTrue(failure("strata.cache.memory.size = -1").contains("strata.cache.memory.size"));
        assertTrue(failure("strata.cache.memory.decoded-size = -1").contains("strata.cache.memory.decoded-size"));
        assertTrue(failure("strata.cache.ssd.region-size = 5000").contains("strata.cache.ssd.region-size"));
        assertTrue(failure("strata.cache.page-size = 1000").contains("strata.cache.page-size"));
        assertTrue(failure("strata.storage.kind = ftp").contains("strata.storage.kind"));
        assertTrue(failure("strata.storage.kind = s3").contains("strata.storage.s3.bucket"));
        assertTrue(failure("strata.storage.s3.endpoint = \"not a url\"").contains("strata.storage.s3.endpoint"));
        assertTrue(failure("strata.http.port = 70000").contains("strata.http.port"));
        assertTrue(failure("strata.storage.s3.access-key-id = ak").contains("secret-access-key"));
    }

    @Test
    void anUnusableSsdDirectoryIsRefused() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        String message = failure("strata.cache.ssd.directory = \"" + file.resolve("below") + "\"");
        assertTrue(message.contains("strata.cache.ssd.directory"), message);
    }

    @Test
    void aZeroSizeTurnsTheSsdTierOffWithoutTouchingTheDirectory() {
        StrataSettings s = parse("strata.cache.ssd { size = 0, directory = \"/proc/nope\" }");
        assertFalse(s.cache().ssdEnabled());
    }

    @Test
    void apiKeysAndRequestLimits() {
        StrataSettings open = parse("");
        assertTrue(open.http().openAccess(), "no key configured means open local mode");
        assertEquals(256L << 20, open.http().maxRequestBytes());
        StrataSettings s = parse("""
                strata.http.api-keys = [{key = "k1", namespace-prefixes = ["a-", "b-"]}, {key = "k2"}]
                strata.http.api-key = "k3"
                strata.http.max-request-size = 1MiB
                """);
        assertEquals(3, s.http().apiKeys().size());
        ApiKey k1 = s.http().apiKeys().get(0);
        assertTrue(k1.allows("a-x") && k1.allows("b-y"));
        assertFalse(k1.allows("c-z"));
        assertTrue(s.http().apiKeys().get(2).allows("anything"));
        assertEquals(1L << 20, s.http().maxRequestBytes());
        assertFalse(s.http().toString().contains("k1"), "keys are never printed");
    }

    @Test
    void badApiKeysAreRefusedWithoutEchoingThem() {
        String dup = failure("strata.http.api-keys = [{key = \"secret-1\"}, {key = \"secret-1\"}]");
        assertTrue(dup.contains("strata.http.api-keys[1].key") && !dup.contains("secret-1"), dup);
        assertTrue(failure("strata.http.api-keys = [{key = \"\"}]").contains("strata.http.api-keys[0].key"));
        assertTrue(failure("strata.http.api-keys = [{namespace-prefixes = [\"a\"]}]").contains("strata.http.api-keys[0]"));
        assertTrue(failure("strata.http.max-request-size = 10").contains("strata.http.max-request-size"));
    }
}
