package dev.alphaflow.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.rvm.RecurrentState;
import dev.alphaflow.model.rvm.RvmMatter;
import dev.alphaflow.model.rvm.RvmOptions;
import dev.alphaflow.model.rvm.RvmResult;

/**
 * The peer the pipeline is measured against: what a user would write instead. One thread, one frame at a time:
 * decode the JPEG, run RVM with the stream's carried state, PNG-encode the alpha. Streams are served round-robin,
 * frame t of every stream before frame t+1, each with its own state.
 */
final class BareLoop {
    private final Path modelDir;
    private final SessionSettings settings;
    private final RvmOptions options;

    BareLoop(Path modelDir, SessionSettings settings, RvmOptions options) {
        this.modelDir = modelDir;
        this.settings = settings;
        this.options = options;
    }

    /** Runs the workload; times are taken when each alpha PNG is done. */
    Throughput run(Workload workload) {
        List<Workload.StreamFrames> streams = workload.streams();
        RecurrentState[] states = new RecurrentState[streams.size()];
        Arrays.fill(states, RecurrentState.initial());
        int longest = streams.stream().mapToInt(s -> s.jpegs().size()).max().orElse(0);
        long first = 0;
        long last = 0;
        int done = 0;
        long pngBytes = 0;
        StageTimes stages = new StageTimes();
        // The session is opened outside the timed span, as the pipeline's is (in the task's open()).
        try (RvmMatter matter = RvmMatter.open(new ModelRegistry(modelDir), ModelCards.RVM_MOBILENETV3, settings, options)) {
            for (int t = 0; t < longest; t++) {
                for (int s = 0; s < streams.size(); s++) {
                    List<byte[]> jpegs = streams.get(s).jpegs();
                    if (t >= jpegs.size()) {
                        continue;
                    }
                    long start = System.nanoTime();
                    RgbImage image = ImageCodec.decode(jpegs.get(t));
                    long decoded = System.nanoTime();
                    RvmResult result = matter.infer(image, states[s]);
                    states[s] = result.nextState();
                    long matted = System.nanoTime();
                    byte[] png = ImageCodec.encodeGray8Png(result.alpha8(), result.width(), result.height());
                    long encoded = System.nanoTime();
                    stages.add(Map.of("decode", (decoded - start) / 1000, "preprocess", result.preprocessMicros(),
                            "inference", result.inferenceMicros(),
                            "matting", (matted - decoded) / 1000, "encode", (encoded - matted) / 1000,
                            "total", (encoded - start) / 1000));
                    pngBytes += png.length;
                    last = System.nanoTime();
                    if (done++ == 0) {
                        first = last;
                    }
                }
            }
        }
        if (pngBytes == 0) {
            throw new IllegalStateException("the bare loop produced no alpha");
        }
        // a diagnostic for the notes, as the pipeline's (PipelineReplay)
        System.out.println("[bench] bare loop stages: " + stages);
        return Throughput.ofNanos(done, first, last, System.currentTimeMillis());
    }
}
