package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void notOnATerminalPrintsPlainLinesAtTheIntervalWithRateAndEta() {
        try (Progress p = Progress.start("replay", "frames", 100, false, out, nanos::get, Duration.ofSeconds(5))) {
            for (int i = 0; i < 10; i++) {
                nanos.addAndGet(1_000_000_000L); // 1 frame per second
                p.step();
            }
        }
        String[] lines = output().split("\n");
        assertThat(lines).containsExactly(
                "replay: 5/100 frames (5%), 1.0 frames/s, ETA 0:01:35",
                "replay: 10/100 frames (10%), 1.0 frames/s, ETA 0:01:30",
                "replay: 10 frames in 0:00:10, 1.0 frames/s");
        assertThat(output()).doesNotContain("\u001b").doesNotContain("\r");
    }

    @Test
    void unknownTotalHasNoPercentageNorEtaUntilTheTotalIsKnown() {
        Progress p = Progress.start("export", "mattes", -1, false, out, nanos::get, Duration.ofSeconds(1));
        nanos.addAndGet(2_000_000_000L);
        p.stepBy(4);
        p.total(8);
        nanos.addAndGet(2_000_000_000L);
        p.stepBy(2);
        p.close();
        p.close(); // idempotent
        assertThat(output().split("\n")).containsExactly(
                "export: 4 mattes, 2.0 mattes/s",
                "export: 6/8 mattes (75%), 1.5 mattes/s, ETA 0:00:01",
                "export: 6 mattes in 0:00:04, 1.5 mattes/s");
        assertThat(p.done()).isEqualTo(6);
    }

    @Test
    void onATerminalDrawsABarInPlace() {
        try (Progress p = Progress.start("matting", "frames", 3, true, out, System::nanoTime, Duration.ofSeconds(5))) {
            p.stepBy(3);
        }
        assertThat(output()).contains("matting").contains("3/3").contains("\r");
    }

    @Test
    void manyThreadsCountEveryStep() throws InterruptedException {
        Progress p = Progress.start("replay", "frames", -1, false, out, System::nanoTime, Duration.ofMinutes(1));
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    p.step();
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        p.close();
        assertThat(p.done()).isEqualTo(4000);
        assertThat(output()).startsWith("replay: 4000 frames in ");
    }
}
