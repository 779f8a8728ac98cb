package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.schemas.BoundingBox;
import dev.alphaflow.schemas.DetectedInstance;
import dev.alphaflow.schemas.MaskRle;

class CocoResultTest {
    private static final int H = 40;
    private static final int W = 30;
    /**
     * pycocotools' {@code rleToString(rleEncode(mask))} of {@link #mask()}, computed with a separate Python port of
     * its C code ({@code maskApi.c}: Fortran-order runs; 5-bit groups + 48, delta from the run two back from the 4th).
     */
    private static final String PYCOCOTOOLS_COUNTS =
            "m3n0:WOGc09^OGa09@G?9BG=9DG;9FG99HG79JG59LG39NG190GO92GM94GK96GI98GG9:GE9<GCT5JQL0000000OO";

    /** A rectangle cut by a diagonal, a corner blob and the last pixel: long runs, negative deltas, both edges. */
    static BinaryMask mask() {
        BinaryMask.Builder b = BinaryMask.builder(W, H);
        for (int y = 5; y < 35; y++) {
            for (int x = 3; x < 21; x++) {
                int i = y - 10;
                boolean cut = i >= 0 && i < 25 && x == Math.min(i + 4, W - 1);
                if (!cut) {
                    b.set(x, y);
                }
            }
        }
        for (int y = 0; y < 2; y++) {
            for (int x = 25; x < 30; x++) {
                b.set(x, y);
            }
        }
        b.set(29, 39);
        return b.build();
    }

    @Test
    void cocoResultHasPycocotoolsCountsAndXywhBox() throws Exception {
        BinaryMask mask = mask();
        assertThat(mask.area()).isEqualTo(534);
        Rle rle = Rle.encode(mask);
        assertThat(rle.counts()).hasSize(82).startsWith(125, 30, 10, 5, 1, 24, 10, 6, 1, 23);
        DetectedInstance d = DetectedInstance.newBuilder()
                .setClassId(0)
                .setLabel("person")
                .setScore(0.75f)
                .setBbox(new BoundingBox(3f, 0f, 30f, 40f))
                .setArea(mask.area())
                .setMask(new MaskRle(H, W, Arrays.stream(rle.counts()).boxed().collect(Collectors.toList())))
                .build();
        ObjectMapper json = new ObjectMapper();

        JsonNode o = json.readTree(json.writeValueAsString(InstancesExport.cocoResult(json.getNodeFactory(), 7, d)));

        assertThat(o.get("image_id").asLong()).isEqualTo(7);
        assertThat(o.get("category_id").asInt()).isZero();
        assertThat(o.get("score").asDouble()).isEqualTo(0.75);
        assertThat(o.get("segmentation").get("size").toString()).isEqualTo("[40,30]"); // [h, w]
        String counts = o.get("segmentation").get("counts").asText();
        assertThat(counts).isEqualTo(PYCOCOTOOLS_COUNTS);
        assertThat(o.get("bbox").toString()).isEqualTo("[3.0,0.0,27.0,40.0]");
        assertThat(Rle.fromCompressedString(H, W, counts).decode()).isEqualTo(mask);
        assertThat(o.size()).as("only the COCO results fields").isEqualTo(5);
    }
}
