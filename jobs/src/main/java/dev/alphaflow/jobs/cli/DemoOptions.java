package dev.alphaflow.jobs.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** Flags every demo has: where its outputs go and how many frames of each input it replays. */
final class DemoOptions {

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "alphaflow-demo-output",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--max-frames", paramLabel = "N", defaultValue = "0", description = "Frames per input (0 = all).")
    long maxFrames;
}
