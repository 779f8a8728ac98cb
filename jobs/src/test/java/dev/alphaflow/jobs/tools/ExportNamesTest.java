package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExportNamesTest {

    @Test
    void streamIdsBecomeSafeDistinctFolderNames() {
        assertThat(Export.directoryName("cam-7_front.v2")).isEqualTo("cam-7_front.v2");
        assertThat(Export.directoryName("a/b")).startsWith("a_b-").isNotEqualTo(Export.directoryName("a_b"));
        assertThat(Export.directoryName("a/b")).isNotEqualTo(Export.directoryName("a:b"));
        assertThat(Export.directoryName("..")).doesNotStartWith(".");
        assertThat(Export.fileName(7)).isEqualTo("000007.png");
    }
}
