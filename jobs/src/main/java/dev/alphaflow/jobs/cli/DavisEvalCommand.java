package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.alphaflow.model.eval.DavisFolderEvaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code alphaflow davis-eval}: DAVIS J, F and J&amp;F per sequence; see {@link DavisFolderEvaluation}. */
@Command(name = "davis-eval", mixinStandardHelpOptions = true,
        description = {"Score predicted DAVIS masks (e.g. from export-masks) against the ground truth: region J, "
                + "boundary F and J&F per sequence, over frames 1..n-2 as the DAVIS toolkit does.",
                "Folders are matched by name: <predicted>/<sequence>/<frame>.png vs <truth>/<sequence>/<frame>.png."})
final class DavisEvalCommand implements Callable<Integer> {

    @Option(names = "--predicted", paramLabel = "DIR", required = true, description = "Folder of predicted sequences.")
    Path predicted;

    @Option(names = "--truth", paramLabel = "DIR", required = true,
            description = "Folder of ground-truth sequences, e.g. <shared>/data/davis2016/Annotations/480p.")
    Path truth;

    @Override
    public Integer call() {
        List<DavisFolderEvaluation.SequenceResult> results = DavisFolderEvaluation.evaluate(predicted, truth);
        System.out.print(DavisFolderEvaluation.table(results));
        double meanJf = results.stream().mapToDouble(DavisFolderEvaluation.SequenceResult::jf).average().orElseThrow();
        System.out.printf("mean J&F over %d sequence(s): %.4f%n", results.size(), meanJf);
        return 0;
    }
}
