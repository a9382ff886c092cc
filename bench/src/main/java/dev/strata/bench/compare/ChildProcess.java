package dev.strata.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs one benchmark peer as a child process and measures its peak resident memory from
 * outside, so every system (Python, Node, the JVM) is measured the same way.
 *
 * <p>Peak RSS is the kernel's own high-water mark: the child runs under GNU time
 * ({@code /usr/bin/time -f %M}), which reports {@code ru_maxrss} from {@code wait4}, the largest
 * resident set the process had at any moment, with no sampling. Where GNU time is missing, the
 * child's {@code VmHWM} (the same high-water mark) is read from {@code /proc/PID/status} every
 * 20 ms until it exits; that can only miss growth in its last 20 ms.
 */
final class ChildProcess {

    private static final Path GNU_TIME = Path.of("/usr/bin/time");

    /** How a child ended: exit code, wall seconds, peak RSS in KiB and how that was measured. */
    record Outcome(int exitCode, double wallSeconds, long peakRssKib, String rssMethod) {}

    private ChildProcess() {}

    /** Runs {@code command} with extra environment, stdout and stderr into {@code log}. */
    static Outcome run(List<String> command, Map<String, String> env, Path log) throws IOException, InterruptedException {
        boolean gnuTime = Files.isExecutable(GNU_TIME);
        Path rssFile = log.resolveSibling(log.getFileName() + ".maxrss");
        List<String> full = new ArrayList<>();
        if (gnuTime) {
            full.addAll(List.of(GNU_TIME.toString(), "-f", "%M", "-o", rssFile.toString()));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        long polled = 0;
        if (!gnuTime) {
            Path status = Path.of("/proc/" + p.pid() + "/status");
            while (!p.waitFor(20, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                polled = Math.max(polled, vmHwmKib(status));
            }
        }
        int code = p.waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;
        if (gnuTime) {
            return new Outcome(code, wall, readRss(rssFile), "ru_maxrss (GNU time)");
        }
        return new Outcome(code, wall, polled, "VmHWM polled every 20 ms");
    }

    /**
     * The outcome of a finished earlier run whose {@code log} sits next to its spec: peak RSS as
     * GNU time recorded it, wall time from the spec's creation to that record's.
     */
    static Outcome recorded(Path spec, Path log) throws IOException {
        Path rssFile = log.resolveSibling(log.getFileName() + ".maxrss");
        double wall = (Files.getLastModifiedTime(rssFile).toMillis() - Files.getLastModifiedTime(spec).toMillis()) / 1e3;
        return new Outcome(0, wall, readRss(rssFile), "ru_maxrss (GNU time)");
    }

    private static long readRss(Path rssFile) throws IOException {
        String text = Files.exists(rssFile) ? Files.readString(rssFile).strip() : "";
        // GNU time writes "Command exited with non-zero status N" before the figure on failure.
        String[] lines = text.split("\n");
        String last = lines[lines.length - 1].strip();
        return last.isEmpty() ? -1 : Long.parseLong(last);
    }

    private static long vmHwmKib(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // The process exited between two polls: its last reading stands.
        }
        return 0;
    }
}
