package dev.strata.bench.http;

import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Query requests as the official clients send them, and the ids of their answers. */
public final class QueryBodies {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private QueryBodies() {}

    /** An ANN query on the {@code vector} attribute; {@code eventual} skips the consistency check. */
    public static String nearest(float[] vector, int topK, boolean eventual) {
        StringBuilder b = new StringBuilder(vector.length * 12 + 96).append("{\"rank_by\":[\"vector\",\"ANN\",[");
        for (int d = 0; d < vector.length; d++) {
            b.append(d == 0 ? "" : ",").append(vector[d]);
        }
        b.append("]],\"top_k\":").append(topK);
        return b.append(eventual ? ",\"consistency\":{\"level\":\"eventual\"}}" : "}").toString();
    }

    /** The integer ids of a query answer's rows, in order; a status other than 200 fails. */
    public static int[] ids(int status, byte[] body) {
        return ids(answer(status, body));
    }

    /** The parsed body of a query answer; a status other than 200 fails. */
    public static JsonNode answer(int status, byte[] body) {
        if (status != 200) {
            throw new IllegalStateException("query failed: " + status + " " + new String(body, StandardCharsets.UTF_8));
        }
        return JSON.readTree(body);
    }

    /** The integer ids of a parsed query answer's rows, in order. */
    public static int[] ids(JsonNode answer) {
        JsonNode rows = answer.get("rows");
        int[] ids = new int[rows.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rows.get(i).get("id").asInt();
        }
        return ids;
    }
}
