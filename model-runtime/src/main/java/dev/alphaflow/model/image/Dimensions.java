package dev.alphaflow.model.image;

/** Width and height of an image, as declared by its header. */
public record Dimensions(int width, int height) {

  public long pixelCount() {
    return (long) width * height;
  }

  @Override
  public String toString() {
    return width + "x" + height;
  }
}
