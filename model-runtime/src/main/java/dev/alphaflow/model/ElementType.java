package dev.alphaflow.model;

import ai.onnxruntime.TensorInfo.OnnxTensorType;

/** Element type of a model input or output tensor. */
public enum ElementType {
  FLOAT32,
  FLOAT16,
  FLOAT64,
  BFLOAT16,
  INT8,
  UINT8,
  INT16,
  UINT16,
  INT32,
  UINT32,
  INT64,
  UINT64,
  BOOL,
  STRING,
  /** Anything else ONNX can declare (complex, float8, ...); never matches a card. */
  OTHER;

  static ElementType fromOrt(OnnxTensorType type) {
    return switch (type) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> FLOAT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> FLOAT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> FLOAT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> BFLOAT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> INT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> UINT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> INT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> UINT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> INT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> UINT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> INT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> UINT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> BOOL;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> STRING;
      default -> OTHER;
    };
  }
}
