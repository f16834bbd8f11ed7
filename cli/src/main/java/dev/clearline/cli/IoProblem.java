package dev.clearline.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** A file-system failure in words, without the exception's class name. */
final class IoProblem {
    private IoProblem() {}

    static String describe(Exception e) {
        return switch (e) {
            case AccessDeniedException a -> "permission denied on " + a.getFile();
            case FileAlreadyExistsException f -> f.getFile() + " exists and is not a directory";
            case NoSuchFileException f -> f.getFile() + " does not exist";
            case FileSystemException f -> (f.getReason() == null ? "cannot write" : f.getReason()) + " at " + f.getFile();
            case SecurityException s -> "not allowed: " + s.getMessage();
            default -> String.valueOf(e.getMessage());
        };
    }
}
