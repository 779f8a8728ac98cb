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
}
