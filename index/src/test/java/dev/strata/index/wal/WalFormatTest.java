package dev.strata.index.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.index.doc.CorruptDataException;
import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.RandomData;
import dev.strata.index.doc.Schema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WalFormatTest {

    private static final Schema SCHEMA = RandomData.schema();
    private static final String KEY = "ns/wal/00000000000000000042";

    private static List<WalOp> randomOps(long seed, int count) {
        RandomData data = new RandomData(seed);
        Random rng = data.random();
        List<Document> docs = data.documents(count, true);
        List<WalOp> ops = new ArrayList<>();
        for (Document d : docs) {
            switch (rng.nextInt(4)) {
                case 0 -> ops.add(new WalOp.Delete(d.id()));
                case 1 -> {
                    Map<String, Object> patch = new HashMap<>(d.attributes());
                    patch.put("string", null); // removal
                    ops.add(new WalOp.Patch(d.id(), patch));
                }
                default -> {
                    float[] vector = null;
                    if (rng.nextBoolean()) {
                        vector = new float[1 + rng.nextInt(8)];
                        for (int i = 0; i < vector.length; i++) {
                            vector[i] = (float) rng.nextGaussian();
                        }
                    }
                    ops.add(new WalOp.Upsert(new Document(d.id(), vector, d.attributes())));
                }
            }
        }
        return ops;
    }

    private static byte[] encode(List<WalOp> ops) {
        WalWriter w = new WalWriter(SCHEMA);
        ops.forEach(w::add);
        return w.finish();
    }

    @Test
    void randomBatchesRoundTrip() {
        for (int seed = 0; seed < 30; seed++) {
            List<WalOp> ops = randomOps(seed, seed * 7);
            assertEquals(ops, WalReader.read(encode(ops), KEY), "seed " + seed);
        }
    }

    @Test
    void readsFromReadOnlyAndDirectBuffers() {
        List<WalOp> ops = randomOps(3, 20);
        byte[] bytes = encode(ops);
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(bytes.length + 5);
        direct.position(5);
        direct.put(bytes);
        direct.position(5);
        assertEquals(ops, WalReader.read(direct.asReadOnlyBuffer(), KEY));
        assertEquals(ops, WalReader.read(java.nio.ByteBuffer.wrap(bytes).asReadOnlyBuffer(), KEY));
    }

    @Test
    void flippingAnyByteIsDetectedAndNamesTheObject() {
        byte[] bytes = encode(randomOps(99, 12));
        for (int i = 0; i < bytes.length; i++) {
            for (int bit : new int[] {0, 7}) {
                byte[] corrupt = bytes.clone();
                corrupt[i] ^= (byte) (1 << bit);
                CorruptDataException e = assertThrows(CorruptDataException.class, () -> WalReader.read(corrupt, KEY),
                        "flip of bit " + bit + " at byte " + i);
                assertEquals(KEY, e.resource());
                assertTrue(e.getMessage().startsWith(KEY));
            }
        }
    }

    @Test
    void everyTruncationIsDetected() {
        byte[] bytes = encode(randomOps(5, 8));
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(bytes, length);
            assertThrows(CorruptDataException.class, () -> WalReader.read(cut, KEY), "length " + length);
        }
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(CorruptDataException.class, () -> WalReader.read(longer, KEY));
    }

    @Test
    void anEmptyBatchIsValid() {
        assertEquals(List.of(), WalReader.read(new WalWriter(SCHEMA).finish(), KEY));
    }

    @Test
    void aValueOfAnAttributeOutsideTheSchemaIsRefusedByTheWriter() {
        WalWriter w = new WalWriter(Schema.empty());
        assertThrows(IllegalArgumentException.class,
                () -> w.upsert(new Document(DocId.of(1), Map.of("x", "y"))));
    }
}
