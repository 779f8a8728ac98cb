package dev.alphaflow.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where ONNX Runtime executes a model. */
public enum ExecutionProvider {
  CPU,
  CUDA,
  TENSORRT;

  /** True for the providers that need a GPU build of ONNX Runtime. */
  public boolean isGpu() {
    return this != CPU;
  }

  /** Parses a provider name case-insensitively ("cpu", "CUDA", "tensorrt"; "tensor_rt" and "trt" also work). */
  public static ExecutionProvider parse(String name) {
    if (name == null) {
      throw new IllegalArgumentException("execution provider is null; valid values: " + validValues());
    }
    String normalized = name.trim().toUpperCase(Locale.ROOT).replace("-", "_");
    switch (normalized) {
      case "CPU":
        return CPU;
      case "CUDA":
        return CUDA;
      case "TENSORRT":
      case "TENSOR_RT":
      case "TRT":
        return TENSORRT;
      default:
        throw new IllegalArgumentException(
            "unknown execution provider '" + name + "'; valid values: " + validValues());
    }
  }

  private static String validValues() {
    return Arrays.stream(values()).map(p -> p.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
  }
}
