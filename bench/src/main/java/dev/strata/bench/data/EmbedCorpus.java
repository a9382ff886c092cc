package dev.strata.bench.data;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Embeds the corpus with all-MiniLM-L6-v2 (384-d, normalized) in-process and caches the vectors
 * as little-endian f32 files: {@code documents.f32} (rows 0..N-1 in id order) and
 * {@code queries.f32} (the 10,000 query rows). Resumable: an interrupted run continues where the
 * file ends. Usage: {@code EmbedCorpus [documents=844710] [workDir=bench/work]}.
 */
public final class EmbedCorpus {

    public static final int DIMENSIONS = 384;
    private static final int BATCH = 512;

    public static void main(String[] args) throws Exception {
        int documents = args.length > 0 ? Integer.parseInt(args[0]) : Corpus.DOCUMENTS;
        Path work = Path.of(args.length > 1 ? args[1] : "bench/work");
        Files.createDirectories(work);
        List<Corpus.Row> rows = Corpus.read(Corpus.defaultPath());
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        AllMiniLmL6V2QuantizedEmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel(pool);
        embed(model, rows.subList(Corpus.DOCUMENTS, Corpus.DOCUMENTS + Corpus.QUERIES), work.resolve("queries.f32"));
        embed(model, rows.subList(0, documents), work.resolve("documents.f32"));
        pool.shutdown();
    }

    private static void embed(AllMiniLmL6V2QuantizedEmbeddingModel model, List<Corpus.Row> rows, Path file)
            throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long rowBytes = 4L * DIMENSIONS;
            int done = (int) (out.size() / rowBytes);
            out.truncate(done * rowBytes).position(done * rowBytes);
            long started = System.nanoTime();
            for (int from = done; from < rows.size(); from += BATCH) {
                List<TextSegment> batch = rows.subList(from, Math.min(rows.size(), from + BATCH)).stream()
                        .map(r -> TextSegment.from(r.text())).toList();
                List<Embedding> vectors = model.embedAll(batch).content();
                ByteBuffer buf = ByteBuffer.allocate((int) (batch.size() * rowBytes)).order(ByteOrder.LITTLE_ENDIAN);
                for (Embedding e : vectors) {
                    buf.asFloatBuffer().put(e.vector());
                    buf.position(buf.position() + (int) rowBytes);
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
                int total = from + batch.size();
                if ((total / BATCH) % 20 == 0 || total == rows.size()) {
                    double seconds = (System.nanoTime() - started) / 1e9;
                    System.out.printf("%s: %d/%d rows, %.0f rows/s%n", file.getFileName(), total, rows.size(),
                            (total - done) / seconds);
                }
            }
            out.force(true);
        }
    }

    private EmbedCorpus() {}
}
