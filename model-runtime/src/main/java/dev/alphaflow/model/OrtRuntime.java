package dev.alphaflow.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import java.util.EnumSet;
import java.util.Set;

/** The process-wide ONNX Runtime environment and the execution providers this JVM's native library offers. */
public final class OrtRuntime {

  private OrtRuntime() {}

  // Holder idiom: the native library is loaded on first use only, and exactly once per class loader.
  private static final class Holder {
    static final OrtEnvironment ENVIRONMENT = create();

    private static OrtEnvironment create() {
      OrtTelemetry.disableBeforeNativeStart(); // must precede the native environment (see OrtTelemetry)
      return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "alphaflow");
    }
  }

  /** Returns the single OrtEnvironment of this process; it lives as long as the JVM and is never closed. */
  public static OrtEnvironment environment() {
    return Holder.ENVIRONMENT;
  }

  /**
   * Returns the providers compiled into the loaded ONNX Runtime library. The plain {@code onnxruntime} jar offers
   * CPU only; CUDA and TensorRT need the {@code onnxruntime_gpu} jar (and the matching CUDA libraries).
   */
  public static Set<ExecutionProvider> availableProviders() {
    environment(); // loads the native library
    EnumSet<ExecutionProvider> result = EnumSet.noneOf(ExecutionProvider.class);
    for (OrtProvider provider : OrtEnvironment.getAvailableProviders()) {
      switch (provider) {
        case CPU -> result.add(ExecutionProvider.CPU);
        case CUDA -> result.add(ExecutionProvider.CUDA);
        case TENSOR_RT -> result.add(ExecutionProvider.TENSORRT);
        default -> {
          // providers this project does not configure are irrelevant here
        }
      }
    }
    return Set.copyOf(result);
  }
}
