package dev.alphaflow.model.vos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Box;
import dev.alphaflow.model.instances.Instance;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrackEvidenceTest {

  private static final int W = 40;
  private static final int H = 20;
  private static final TrackEvidence.Options PEOPLE =
      new TrackEvidence.Options(Set.of("person"), 0.5f, 0.3f, 0.5f, 255, 0.5f);

  /** A rectangle mask [x0, x1) x [y0, y1). */
  private static BinaryMask rect(int x0, int y0, int x1, int y1) {
    BinaryMask.Builder b = BinaryMask.builder(W, H);
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        b.set(x, y);
      }
    }
    return b.build();
  }

  private static Instance detection(String label, float score, BinaryMask mask) {
    return new Instance(label.equals("person") ? 0 : 32, label, score, new Box(0, 0, 1, 1), mask);
  }

  @Test
  void withoutTracksEveryConfidentDetectionOfAStartClassStartsOneInScoreOrder() {
    Instance low = detection("person", 0.6f, rect(20, 0, 30, 10));
    Instance high = detection("person", 0.9f, rect(0, 0, 10, 10));
    Instance weak = detection("person", 0.4f, rect(30, 10, 40, 20));
    Instance ball = detection("sports ball", 0.95f, rect(12, 12, 15, 15));
    TrackEvidence.Decision d = TrackEvidence.decide(List.of(low, high, weak, ball), Map.of(), PEOPLE);
    assertThat(d.support()).isEmpty();
    assertThat(d.started()).containsOnlyKeys(1, 2);
    assertThat(d.started().get(1)).isSameAs(high);
    assertThat(d.started().get(2)).isSameAs(low);
  }

  @Test
  void aDetectionOfATrackedObjectSupportsItAndStartsNothing() {
    BinaryMask tracked = rect(0, 0, 10, 10);
    Instance sameObject = detection("person", 0.9f, rect(1, 0, 11, 10)); // IoU 90/110
    Instance newcomer = detection("person", 0.8f, rect(25, 5, 35, 15));
    TrackEvidence.Decision d = TrackEvidence.decide(List.of(sameObject, newcomer), Map.of(3, tracked), PEOPLE);
    assertThat(d.support()).containsOnlyKeys(3);
    assertThat(d.support().get(3)).isSameAs(sameObject);
    assertThat(d.started()).containsOnlyKeys(1);
    assertThat(d.started().get(1)).isSameAs(newcomer);
  }

  @Test
  void aDetectionMostlyInsideATrackedObjectDoesNotStartASecondTrack() {
    // Low IoU with the tracked mask (a part of it), but most of its area is already tracked.
    BinaryMask tracked = rect(0, 0, 20, 20);
    Instance part = detection("person", 0.9f, rect(0, 0, 6, 10));
    TrackEvidence.Decision d = TrackEvidence.decide(List.of(part), Map.of(1, tracked), PEOPLE);
    assertThat(d.isEmpty()).isTrue();
  }

  @Test
  void eachObjectTakesItsBestDetectionAndEachDetectionOneObject() {
    BinaryMask a = rect(0, 0, 10, 10);
    BinaryMask b = rect(8, 0, 18, 10);
    Instance onA = detection("person", 0.7f, rect(0, 0, 10, 10)); // IoU 1 with a, 0.25 with b
    Instance onB = detection("person", 0.7f, rect(9, 0, 18, 10)); // IoU 0.9 with b
    TrackEvidence.Decision d = TrackEvidence.decide(List.of(onB, onA), Map.of(1, a, 2, b), PEOPLE);
    assertThat(d.support().get(1)).isSameAs(onA);
    assertThat(d.support().get(2)).isSameAs(onB);
    assertThat(d.started()).isEmpty();
  }

  @Test
  void newIdsSkipTrackedOnesAndStopAtTheLimit() {
    TrackEvidence.Options two = new TrackEvidence.Options(Set.of("person"), 0.5f, 0.3f, 0.5f, 2, 0.5f);
    Instance x = detection("person", 0.9f, rect(20, 0, 30, 10));
    Instance y = detection("person", 0.8f, rect(30, 10, 40, 20));
    TrackEvidence.Decision d = TrackEvidence.decide(List.of(x, y), Map.of(1, rect(0, 0, 5, 5)), two);
    assertThat(d.started()).containsOnlyKeys(2);
    assertThat(d.started().get(2)).isSameAs(x);
  }
}
