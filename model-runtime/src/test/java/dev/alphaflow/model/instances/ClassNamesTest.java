package dev.alphaflow.model.instances;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClassNamesTest {

  @Test
  void parsesUltralyticsNamesMetadata() {
    assertThat(ClassNames.parse("{0: 'person', 1: \"traffic light\", 2: 'tv'}"))
        .containsExactly("person", "traffic light", "tv");
    assertThat(ClassNames.parse("{1: 'a', 2: 'b'}")).as("ids must start at 0").isEmpty();
    assertThat(ClassNames.parse("{0: 'a', 2: 'b'}")).as("no gaps").isEmpty();
    assertThat(ClassNames.parse(null)).isEmpty();
    assertThat(ClassNames.parse("nonsense")).isEmpty();
  }

  @Test
  void fallsBackToCocoOrNumberedNames() {
    assertThat(ClassNames.COCO80).hasSize(80).startsWith("person", "bicycle").endsWith("toothbrush");
    assertThat(ClassNames.COCO80.get(32)).isEqualTo("sports ball");
    assertThat(ClassNames.fallback(80)).isSameAs(ClassNames.COCO80);
    assertThat(ClassNames.fallback(2)).containsExactly("class_0", "class_1");
  }
}
