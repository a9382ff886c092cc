package dev.strata.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.actors.namespace.NamespaceProtocol.QueryResult;
import dev.strata.actors.namespace.NamespaceProtocol.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reciprocal rank fusion of multi-query result lists, checked against hand-computed scores. */
class RrfFusionTest {

    private static QueryResult result(Object... ids) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            rows.add(new Row(ids[i], (double) i, Map.of("rank", i)));
        }
        return new QueryResult(rows, "hot", 0);
    }

    @Test
    void scoresSumWeightedReciprocalRanks() {
        // list 1: a b c; list 2: c a. k = 1.
        // a: 1/(1+1) + 1/(1+2) = 0.8333; c: 1/(1+3) + 1/(1+1) = 0.75; b: 1/(1+2) = 0.3333.
        List<Map<String, Object>> fused = Responses.fuse(List.of(result("a", "b", "c"), result("c", "a")),
                new QueryCodec.Rrf(1, List.of(1.0, 1.0)), 10, false);
        assertEquals(List.of("a", "c", "b"), fused.stream().map(r -> r.get("id")).toList());
        assertEquals(0.8333, (Double) fused.get(0).get("$rrf_score"), 1e-4);
        assertEquals(false, fused.get(0).containsKey("$dist"));

        // Weighting the second list by 3 puts c first: c = 0.25 + 1.5, a = 0.5 + 1.0.
        List<Map<String, Object>> weighted = Responses.fuse(List.of(result("a", "b", "c"), result("c", "a")),
                new QueryCodec.Rrf(1, List.of(1.0, 3.0)), 2, false);
        assertEquals(List.of("c", "a"), weighted.stream().map(r -> r.get("id")).toList());
    }

    @Test
    void idsOfDifferentTypesStayApart() {
        List<Map<String, Object>> fused = Responses.fuse(List.of(result(1L, "1")), new QueryCodec.Rrf(60, List.of(1.0)),
                10, false);
        assertEquals(2, fused.size());
    }
}
