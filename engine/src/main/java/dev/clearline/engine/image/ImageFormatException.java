package dev.clearline.engine.image;

/** A state image that cannot be read back as written: truncated, or a length or value that does not fit. */
public final class ImageFormatException extends RuntimeException {
    public ImageFormatException(String message) {
        super(message);
    }
}
