package dev.alphaflow.it.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the shipped jar fails at start, says what to fix, and prints no flood: an unreachable broker, a bad
 * option value, a GPU provider this machine lacks, a prompt that does not fit the frames. Each is a JVM of its own.
 */
class FailFastITCase {
    @TempDir
    Path tmp;

    private JarProcess.Builder jar(String name) {
        return JarProcess.builder().workDir(tmp).tmpDir(tmp.resolve("tmp-" + name)).log(tmp.resolve(name + ".log"));
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort(); // closed again when this returns: nothing listens there
        }
    }

    @Test
    void anUnreachableBrokerFailsWithinSecondsNamingTheServers() throws Exception {
        String servers = "127.0.0.1:" + closedPort();
        long start = System.nanoTime();
        try (JarProcess run = jar("run").args("run", "--bounded", "--bootstrap-servers", servers).start()) {
            int code = run.waitFor(Duration.ofSeconds(60));
            double seconds = (System.nanoTime() - start) / 1e9;
            String out = run.output();
            assertThat(code).as(out).isEqualTo(1);
            assertThat(out).contains(servers, "--bootstrap-servers");
            assertThat(seconds).as("seconds to fail, including the model check and JVM start").isLessThan(30);
            assertThat(out.lines().filter(l -> l.contains(" WARN ")).count()).as(out).isZero();
            assertThat(out).doesNotContain("\tat ");
        }
        try (JarProcess replay = jar("replay").args("replay", "--fast", "--bootstrap-servers", servers,
                JarProcess.sharedDir().resolve("data/person-video/dance-twirl_854x480_24fps_h264.mp4").toString())
                .start()) {
            assertThat(replay.waitFor(Duration.ofSeconds(60))).as(replay.output()).isNotZero();
            assertThat(replay.output()).contains(servers).doesNotContain("not present in metadata");
        }
    }

    @Test
    void badOptionValuesAreUsageErrorsNamingTheFlagAndKey() throws Exception {
        try (JarProcess run = jar("ratio").args("run", "--ratio", "-1").start()) {
            assertThat(run.waitFor(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(run.output()).contains("invalid --ratio (-D alphaflow.rvm.downsample-ratio)", "got -1.0");
        }
        try (JarProcess segment = jar("threads").args("segment", "--threads", "0").start()) {
            assertThat(segment.waitFor(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(segment.output()).contains("invalid --threads (-D alphaflow.ort.intra-op-threads)");
        }
    }

    @Test
    void ingestRefusesABadSourceOrFlagAndAnUnreachableBrokerBeforeCapturing() throws Exception {
        try (JarProcess ingest = jar("ingest-source").args("ingest", "rtmpx://cam/live").start()) {
            assertThat(ingest.waitFor(Duration.ofSeconds(60))).as(ingest.output()).isEqualTo(2);
            assertThat(ingest.output()).contains("SOURCE: source 'rtmpx://cam/live': unsupported scheme rtmpx://")
                    .doesNotContain("\tat ");
        }
        try (JarProcess ingest = jar("ingest-fps").args("ingest", "--fps", "-2", "udp://127.0.0.1:5000").start()) {
            assertThat(ingest.waitFor(Duration.ofSeconds(60))).as(ingest.output()).isEqualTo(2);
            assertThat(ingest.output()).contains("--fps must be 0 (no cap) or positive: -2.0");
        }
        String servers = "127.0.0.1:" + closedPort();
        try (JarProcess ingest = jar("ingest-broker").args("ingest", "--bootstrap-servers", servers,
                "udp://127.0.0.1:5000").start()) {
            assertThat(ingest.waitFor(Duration.ofSeconds(60))).as(ingest.output()).isEqualTo(1);
            assertThat(ingest.output()).contains(servers, "--bootstrap-servers").doesNotContain("\tat ");
        }
    }

    @Test
    void aMissingGpuProviderFailsOnceWithoutRestartsOrStackTrace() throws Exception {
        try (JarProcess run = jar("cuda").args("instances", "--provider", "cuda", "--bounded",
                "--bootstrap-servers", "127.0.0.1:" + closedPort()).start()) {
            assertThat(run.waitFor(Duration.ofSeconds(60))).isEqualTo(1);
            String out = run.output();
            assertThat(out).contains("execution provider CUDA is not available", "--provider", "--allow-cpu-fallback");
            assertThat(out).doesNotContain("\tat ").doesNotContainIgnoringCase("restart");
        }
    }

    @Test
    void aPromptOfTheWrongSizeIsRefusedBeforeAnythingIsSent() throws Exception {
        // a DAVIS mask is 854x480; the surveillance video's frames are 768x576
        Path mask = JarProcess.sharedDir().resolve("data/davis2016/Annotations/480p/blackswan/00000.png");
        try (JarProcess replay = jar("prompt").args("replay", "--fast", "--bootstrap-servers",
                "127.0.0.1:" + closedPort(), "--prompt", "0:1:" + mask,
                JarProcess.sharedDir().resolve("data/opencv-samples/vtest.avi").toString()).start()) {
            assertThat(replay.waitFor(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(replay.output()).contains(mask.getFileName().toString());
        }
    }
}
