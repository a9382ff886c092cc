package dev.strata.bench.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.strata.tiering.store.CountingObjectStore.Operation;
import dev.strata.tiering.store.CountingObjectStore.Request;
import dev.strata.tiering.store.CountingObjectStore.Timed;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryTierBenchTest {

    private static Timed at(long sent, long answered) {
        return new Timed(new Request(Operation.GET, "k", null, 0, true), sent, answered);
    }

    @Test
    void requestsSentTogetherShareARoundAndDependentOnesStartTheNext() {
        List<Timed> timed = List.of(
                at(0, 10),   // round 1
                at(12, 30),  // after the first: round 2
                at(13, 25),  // sent with it: round 2
                at(26, 40),  // after the 13..25 one only: round 3
                at(5, 50),   // sent before anything was answered: round 1
                at(51, 60)); // after everything: round 4
        assertArrayEquals(new int[] {1, 2, 2, 3, 1, 4}, QueryTierBench.rounds(timed));
    }
}
