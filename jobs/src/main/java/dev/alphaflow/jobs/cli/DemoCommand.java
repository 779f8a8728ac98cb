package dev.alphaflow.jobs.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code alphaflow demo} (= {@code demo matting}): everything on this machine — an embedded KRaft broker, a local
 * Flink MiniCluster, replay of a sample input, the job, and export of its results to files, one subcommand per task.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Embedded Kafka + local Flink, one demo per task. Without a subcommand: matting (replay a "
                + "video, matte it, export PNGs and a composited video).",
                "Subcommands: matting, segment (prompted video object segmentation), instances (per-frame instance "
                        + "segmentation), track (detect, then track)."},
        subcommands = {DemoCommand.Matting.class, DemoSegmentCommand.class, DemoInstancesCommand.class,
                DemoTrackCommand.class, DemoFlowCommand.class})
final class DemoCommand implements Callable<Integer> {

    @Mixin
    MattingDemo matting;

    @Override
    public Integer call() throws Exception {
        return matting.call();
    }

    /** {@code alphaflow demo matting}: the same as {@code alphaflow demo}. */
    @Command(name = "matting", mixinStandardHelpOptions = true,
            description = "Replay a video, matte it with RVM, export alpha PNGs, composites and a composited video.")
    static final class Matting implements Callable<Integer> {

        @Mixin
        MattingDemo matting;

        @Override
        public Integer call() throws Exception {
            return matting.call();
        }
    }
}
