package dev.clearline.evm;

import com.sun.jna.Pointer;
import io.horizen.evm.ResourceHandle;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.math.BigInteger;

/**
 * libevm's own entry point, called with JSON written here instead of by its Jackson mapper.
 *
 * <p>Every libevm operation is one native call {@code Invoke(method, json)} answering
 * {@code {"error":"...","result":...}}. Its Java API builds each request through a Jackson
 * bean serializer and reads each answer through a generic Jackson type: for the small,
 * frequent operations of a transaction (balance and nonce updates, access list set-up, refund
 * and root reads) that was measured at about 40% of the time spent in the operation, native
 * side included. The shapes written here are exactly what that mapper writes
 * ({@code dev.clearline.evm.LibEvmDirectTest} compares them).
 *
 * <p>libevm keeps that entry point and the state handle private, so they are reached through
 * method handles once; if this libevm build lacks them, {@link #AVAILABLE} is false and
 * {@link GethWorld} uses the public API for everything.
 */
final class LibEvmDirect {
    private static final String OK = "{\"error\":\"\",\"result\":";
    private static final MethodHandle INVOKE;
    private static final MethodHandle FREE;
    private static final MethodHandle HANDLE;
    static final boolean AVAILABLE;

    static {
        MethodHandle invoke = null;
        MethodHandle free = null;
        MethodHandle handle = null;
        try {
            Class<?> lib = Class.forName("io.horizen.evm.LibEvm", true, LibEvmDirect.class.getClassLoader());
            MethodHandles.Lookup inLib = MethodHandles.privateLookupIn(lib, MethodHandles.lookup());
            invoke = inLib.findStatic(lib, "Invoke", MethodType.methodType(Pointer.class, String.class, String.class));
            free = inLib.findStatic(lib, "FreeBuffer", MethodType.methodType(void.class, Pointer.class));
            handle = MethodHandles.privateLookupIn(ResourceHandle.class, MethodHandles.lookup())
                    .findGetter(ResourceHandle.class, "handle", int.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            invoke = null;
        }
        INVOKE = invoke;
        FREE = free;
        HANDLE = handle;
        AVAILABLE = invoke != null && free != null && handle != null;
    }

    private LibEvmDirect() {}

    /** The native handle of a libevm resource (a state, a database). */
    static int handle(ResourceHandle resource) {
        try {
            return (int) HANDLE.invokeExact(resource);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read a libevm handle", t);
        }
    }

    /** Calls {@code method} with {@code json}; returns the answer's raw {@code result} JSON ({@code null}, a number, a quoted string). */
    static String call(String method, String json) {
        String answer;
        try {
            Pointer p = (Pointer) INVOKE.invokeExact(method, json);
            if (p == null) throw new IllegalStateException("libevm " + method + " answered nothing");
            try {
                answer = p.getString(0);
            } finally {
                FREE.invokeExact(p);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("libevm " + method + " failed", t);
        }
        if (!answer.startsWith(OK) || !answer.endsWith("}")) {
            throw new IllegalStateException("libevm " + method + " refused " + json + ": " + answer);
        }
        return answer.substring(OK.length(), answer.length() - 1);
    }

    /** A result that is a JSON string, without its quotes. */
    static String string(String result) {
        if (result.length() < 2 || result.charAt(0) != '"') throw new IllegalStateException("libevm answered " + result + ", not a string");
        return result.substring(1, result.length() - 1);
    }

    /** A result that is a {@code 0x} hex quantity. */
    static BigInteger quantity(String result) {
        String hex = string(result);
        if (!hex.startsWith("0x")) throw new IllegalStateException("libevm answered " + result + ", not a hex quantity");
        return new BigInteger(hex.substring(2), 16);
    }

    /** Go's hexutil.Big form: {@code 0x} and no leading zeros. */
    static String hex(BigInteger n) {
        return "0x" + n.toString(16);
    }

    static String account(int handle, Address a) {
        return "{\"handle\":" + handle + ",\"address\":\"" + a.toHex() + "\"}";
    }

    static String amount(int handle, Address a, BigInteger wei) {
        return "{\"handle\":" + handle + ",\"address\":\"" + a.toHex() + "\",\"amount\":\"" + hex(wei) + "\"}";
    }

    static String nonce(int handle, Address a, long nonce) {
        return "{\"handle\":" + handle + ",\"address\":\"" + a.toHex() + "\",\"nonce\":\"0x" + Long.toHexString(nonce) + "\"}";
    }

    static String access(int handle, Address from, Address to, Address coinbase) {
        return "{\"handle\":" + handle + ",\"address\":\"" + from.toHex() + "\""
                + (to == null ? "" : ",\"destination\":\"" + to.toHex() + "\"")
                + ",\"coinbase\":\"" + coinbase.toHex() + "\",\"rules\":{\"isShanghai\":true}}";
    }

    static String handleOnly(int handle) {
        return "{\"handle\":" + handle + "}";
    }

    static String txContext(int handle, Bytes32 txHash) {
        return "{\"handle\":" + handle + ",\"txHash\":\"" + txHash.toHex() + "\",\"txIndex\":0}";
    }

    static String revision(int handle, int id) {
        return "{\"handle\":" + handle + ",\"revisionId\":" + id + "}";
    }
}
