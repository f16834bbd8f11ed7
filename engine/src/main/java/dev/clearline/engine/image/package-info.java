/**
 * State images: the bytes a sequencer snapshot is made of. Each stateful class writes its own
 * fields with an {@link dev.clearline.engine.image.ImageWriter} and restores them from an
 * {@link dev.clearline.engine.image.ImageReader}, so that the restored object behaves exactly as
 * the original would have (the same replies, events, transitions and roots for any input that
 * follows), which the images' property tests check by running both side by side.
 */
package dev.clearline.engine.image;
