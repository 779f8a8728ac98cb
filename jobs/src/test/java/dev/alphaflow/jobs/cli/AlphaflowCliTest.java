package dev.alphaflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import dev.alphaflow.jobs.tools.Replay;

class AlphaflowCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine cli() {
        CommandLine cl = AlphaflowCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl;
    }

    @Test
    void helpListsTheSubcommands() {
        int code = cli().execute("--help");
        assertThat(code).isZero();
        assertThat(out.toString()).contains("replay", "export");
    }

    @Test
    void aSubcommandIsRequired() {
        assertThat(cli().execute()).isEqualTo(2);
        assertThat(err.toString()).contains("subcommand is required");
    }

    @Test
    void replayOptionsBuildTheReplay(@TempDir Path dir) throws Exception {
        Path video = Files.createFile(dir.resolve("clip.mp4"));
        Path folder = Files.createDirectory(dir.resolve("frames"));
        CommandLine cl = cli();
        CommandLine.ParseResult parsed = cl.parseArgs("replay", "--bootstrap-servers", "10.0.0.1:9093",
                "--frames-topic", "f", "--fast", "--codec", "png", "--max-frames", "5", "--stream-id", "a,b",
                "-X", "linger.ms=7", video.toString(), folder.toString());
        ReplayCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();

        Replay replay = command.toReplay();

        assertThat(replay.inputs()).extracting(Replay.Input::streamId).containsExactly("a", "b");
        Properties config = replay.producerConfig();
        assertThat(config.getProperty("bootstrap.servers")).isEqualTo("10.0.0.1:9093");
        assertThat(config.getProperty("enable.idempotence")).isEqualTo("true");
        assertThat(config.getProperty("acks")).isEqualTo("all");
        assertThat(config.getProperty("linger.ms")).isEqualTo("7");
    }

    @Test
    void replayStreamIdsDefaultToBaseNames(@TempDir Path dir) throws Exception {
        Path video = Files.createFile(dir.resolve("dance-twirl.mp4"));
        CommandLine.ParseResult parsed = cli().parseArgs("replay", video.toString());
        ReplayCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();
        assertThat(command.kafka.bootstrapServers()).isNotBlank();
        assertThat(command.kafka.framesTopic()).isEqualTo("alphaflow.frames");
        assertThat(command.toReplay().inputs()).extracting(Replay.Input::streamId).containsExactly("dance-twirl");
    }

    @Test
    void badArgumentsAreUsageErrors(@TempDir Path dir) {
        assertThat(cli().execute("replay", dir.resolve("missing.mp4").toString())).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("does not exist");
        assertThat(cli().execute("export", "-o", dir.toString(), "--background", "mauve")).isEqualTo(2);
        assertThat(err.toString()).contains("--background");
        assertThat(cli().execute("export")).isEqualTo(2);
        assertThat(err.toString()).contains("--output");
    }

    @Test
    void viewOffLoopbackNeedsATokenAndChecksItsPort() {
        assertThat(System.getenv(ViewCommand.TOKEN_ENV)).as("this test needs $%s unset", ViewCommand.TOKEN_ENV).isNull();
        assertThat(cli().execute("view", "--bind", "0.0.0.0")).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("--bind 0.0.0.0 is not a loopback address: give --token");
        assertThat(cli().execute("view", "--port", "70000")).isEqualTo(2);
        assertThat(err.toString()).contains("--port must be in 0..65535: 70000");
        assertThat(cli().execute("view", "--background", "mauve")).isEqualTo(2);
        assertThat(err.toString()).contains("--background");
    }

    @Test
    void ingestFailsAtStartNamingTheSourceOrFlag(@TempDir Path dir) throws Exception {
        String[][] cases = {
            {"ftp://cam/x.ts"}, {"SOURCE", "unsupported scheme ftp://"},
            {dir.resolve("missing.mp4").toString()}, {"SOURCE", "no such file"},
            {"udp://127.0.0.1:5000", "--fps", "-1"}, {"--fps must be 0 (no cap) or positive"},
            {"udp://127.0.0.1:5000", "--max-size", "8"}, {"--max-size must be 0"},
            {"udp://127.0.0.1:5000", "--queue", "0"}, {"--queue must be at least 1"},
            {"udp://127.0.0.1:5000", "--reconnect-initial", "5", "--reconnect-max", "1"}, {"--reconnect-max 1.0 is below"},
            {"udp://127.0.0.1:5000", "--reconnect-multiplier", "0.5"}, {"--reconnect-multiplier must be at least 1"},
            {"udp://127.0.0.1:5000", "--timeout", "0"}, {"--timeout must be a positive number of seconds"},
            {"udp://127.0.0.1:5000", "--metrics-port", "abc"}, {"--metrics-port", "not a port"},
            {"udp://127.0.0.1:5000", "--sources-file", dir.resolve("none.txt").toString()}, {"--sources-file", "does not exist"},
            {"a=udp://127.0.0.1:5000", "a=udp://127.0.0.1:5001"}, {"two sources for stream 'a'"},
            {}, {"SOURCE", "no sources"},
        };
        for (int i = 0; i < cases.length; i += 2) {
            err.getBuffer().setLength(0);
            String[] args = new String[cases[i].length + 1];
            args[0] = "ingest";
            System.arraycopy(cases[i], 0, args, 1, cases[i].length);
            assertThat(cli().execute(args)).as(String.join(" ", args) + ": " + err).isEqualTo(2);
            assertThat(err.toString()).as(String.join(" ", args)).contains(cases[i + 1]);
        }
    }

    @Test
    void ingestOptionsBuildTheCapture(@TempDir Path dir) throws Exception {
        Path video = Files.createFile(dir.resolve("lobby cam.mp4"));
        CommandLine.ParseResult parsed = cli().parseArgs("ingest", "--fps", "10", "--max-size", "640",
                "--reconnect-initial", "0.2", "--reconnect-max", "4", "-O", "rtsp_transport=tcp",
                "door=rtsp://user:pw@10.0.0.9/live", video.toString());
        IngestCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();
        command.toIngest(); // builds: every value is valid
        assertThat(command.sources).hasSize(2);
        assertThat(dev.alphaflow.jobs.ingest.SourceSpec.parse(video.toString()).streamId()).isEqualTo("lobby-cam");
    }
}
