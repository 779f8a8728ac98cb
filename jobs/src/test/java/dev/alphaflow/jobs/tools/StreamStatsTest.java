package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The figures the export prints and its report shows: percentiles by nearest rank, frames/s of processing time. */
class StreamStatsTest {

    @Test
    void figuresFromTheOutputsTimingsAndResets() {
        StreamStats.Collector c = new StreamStats.Collector();
        for (int seq = 0; seq < 12; seq++) {
            c.add(seq, Map.of("total", (10L + seq) * 1000), seq == 0 || seq == 6, seq == 0 ? "FIRST_FRAME" : null);
        }
        c.add(12, Map.of("decode", 5L), false, null); // no total: not a processing time
        StreamStats s = c.build();
        assertThat(s.processingMs()).hasSize(12);
        assertThat(s.medianMs()).isEqualTo(15.0);
        assertThat(s.p95Ms()).isEqualTo(21.0);
        assertThat(s.framesPerSecond()).isCloseTo(12_000.0 / 186, org.assertj.core.data.Offset.offset(1e-9));
        // sorted by reason (Map.of has no order of its own)
        assertThat(s.resets()).containsExactly(entry("FIRST_FRAME", 1L), entry("unknown", 1L));
        assertThat(s.totalResets()).isEqualTo(2);
        // Two windows: seqs 0..9 (145 ms) and 10..11 (41 ms).
        assertThat(s.framesPerSecondSeries().keySet()).containsExactly(0, 10);
        assertThat(s.framesPerSecondSeries().get(10)).isCloseTo(2000.0 / 41, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(ExportSummary.figure(s.framesPerSecond())).isEqualTo("64.5");
    }

    @Test
    void withoutTimingsTheFiguresAreNotAvailable() {
        StreamStats s = new StreamStats.Collector().build();
        assertThat(s.medianMs()).isNaN();
        assertThat(s.framesPerSecond()).isNaN();
        assertThat(ExportSummary.figure(s.p95Ms())).isEqualTo("n/a");
        assertThat(s.framesPerSecondSeries()).isEmpty();
    }
}
