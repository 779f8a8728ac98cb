package dev.alphaflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceSpecTest {
    @TempDir
    Path tmp;

    @Test
    void networkSourcesGetAStreamIdFromTheirUrlUnlessNamed() {
        SourceSpec udp = SourceSpec.parse("udp://127.0.0.1:5000");
        assertThat(udp.streamId()).isEqualTo("udp-127.0.0.1-5000");
        assertThat(udp.kind()).isEqualTo(SourceSpec.Kind.NETWORK);

        SourceSpec rtsp = SourceSpec.parse("rtsp://admin:secret@10.0.0.7:554/Streaming/Channels/101?tcp=1");
        assertThat(rtsp.streamId()).isEqualTo("rtsp-10.0.0.7-554-Streaming-Channels-101");
        assertThat(rtsp.displayLocation()).isEqualTo("rtsp://10.0.0.7:554/Streaming/Channels/101?tcp=1");
        assertThat(rtsp.toString()).doesNotContain("secret").doesNotContain("admin");
        assertThat(rtsp.location()).contains("admin:secret@"); // FFmpeg still gets the credentials

        SourceSpec named = SourceSpec.parse("lobby=http://cam.local/video.mjpg?res=hd");
        assertThat(named.streamId()).isEqualTo("lobby");
        assertThat(named.location()).isEqualTo("http://cam.local/video.mjpg?res=hd");
    }

    @Test
    void devicesAndFiles() throws Exception {
        assertThat(SourceSpec.parse("/dev/video0")).isEqualTo(new SourceSpec("video0", "/dev/video0", SourceSpec.Kind.DEVICE));
        assertThat(SourceSpec.parse("desk=v4l2:/dev/video2"))
                .isEqualTo(new SourceSpec("desk", "/dev/video2", SourceSpec.Kind.DEVICE));
        Path video = Files.writeString(tmp.resolve("front door.mp4"), "x");
        SourceSpec file = SourceSpec.parse(video.toString());
        assertThat(file.streamId()).isEqualTo("front-door");
        assertThat(file.kind()).isEqualTo(SourceSpec.Kind.FILE);
    }

    @Test
    void badSourcesAreClearErrors() {
        assertThatThrownBy(() -> SourceSpec.parse("ftp://host/x.ts"))
                .hasMessageContaining("unsupported scheme ftp://").hasMessageContaining("rtsp");
        assertThatThrownBy(() -> SourceSpec.parse(tmp.resolve("missing.mp4").toString()))
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> SourceSpec.parse("cam="))
                .hasMessageContaining("names a stream but no location");
        assertThatThrownBy(() -> SourceSpec.parse("udp://:5000")).hasMessageContaining("no host");
        assertThatThrownBy(() -> SourceSpec.parse("  ")).hasMessageContaining("empty source");
    }
}
