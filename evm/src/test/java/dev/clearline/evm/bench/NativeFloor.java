package dev.clearline.evm.bench;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.util.Map;

/**
 * A bare round trip into libevm's one entry point, {@code Invoke(method, json)}, with a method name it
 * does not know: the JNA call, Go's cgo entry, the error result and freeing it, with no parameter JSON
 * and no work. It is the floor any libevm operation pays, whatever the Java side does.
 *
 * <p>Binds the same native library instance libevm loaded (same name and options, so JNA hands back
 * the loaded copy rather than extracting a second Go runtime); libevm must be initialised first.
 */
final class NativeFloor {
    private NativeFloor() {}

    static native Pointer Invoke(String method, String args);

    static native void FreeBuffer(Pointer buffer);

    static void bind() {
        Native.register(NativeFloor.class,
                NativeLibrary.getInstance("evm", Map.of(Library.OPTION_CLASSLOADER, NativeFloor.class.getClassLoader())));
    }

    /** One round trip; returns the length of libevm's answer so the call cannot be optimised away. */
    static int roundTrip() {
        Pointer answer = Invoke("NoSuchMethod", null);
        try {
            return answer.getString(0).length();
        } finally {
            FreeBuffer(answer);
        }
    }
}
