package dev.alphaflow.model;

import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One holder's handle on a session from {@link SharedSessions}. Closing the handle (idempotent) releases this
 * holder's reference; the OrtSession itself closes when the last handle does. Do not close {@link #session()}
 * directly.
 */
public final class SharedSession implements AutoCloseable {

  private final SharedSessions.Entry entry;
  private final ModelCard card;
  private final AtomicBoolean closed = new AtomicBoolean();

  SharedSession(SharedSessions.Entry entry, ModelCard card) {
    this.entry = entry;
    this.card = card;
  }

  /** The shared ONNX Runtime session; valid until this handle is closed. */
  public OrtSession session() {
    if (closed.get()) {
      throw new IllegalStateException("model " + card.id() + ": this SharedSession handle is closed");
    }
    return entry.session;
  }

  /** The card this handle was acquired with. */
  public ModelCard card() {
    return card;
  }

  public SessionSettings settings() {
    return entry.settings;
  }

  /** The provider that really runs the model: CPU when a GPU provider fell back. */
  public ExecutionProvider provider() {
    return entry.provider;
  }

  /** Absolute path of the model file. */
  public Path modelPath() {
    return entry.modelPath;
  }

  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      SharedSessions.release(entry);
    }
  }

  @Override
  public String toString() {
    return "SharedSession{" + card.id() + " on " + entry.provider + (closed.get() ? ", closed" : "") + "}";
  }
}
