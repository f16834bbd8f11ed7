package dev.clearline.evm;

import com.sun.jna.Pointer;
import io.horizen.evm.ResourceHandle;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

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

    /**
     * The same two C functions ({@code char* Invoke(char*, char*)}, {@code void FreeBuffer(char*)})
     * bound by JNA's direct mapping with byte-array arguments. libevm's own binding takes Strings,
     * which JNA converts in native code by calling back into Java for each one's bytes in the
     * platform charset, a measurable part of every round trip; here the UTF-8 bytes are made in
     * Java and passed as they are. False if the binding failed: the String binding is used.
     */
    private static final boolean BYTES;

    /** The byte-array binding; registered once against the library JNA already loaded for libevm. */
    private static final class Bytes {
        static native Pointer Invoke(byte[] method, byte[] json);

        static native void FreeBuffer(Pointer buffer);
    }

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
        boolean bytes = false;
        if (AVAILABLE && !Boolean.getBoolean("clearline.evm.stringBinding")) {
            try {
                // The library JNA loaded when LibEvm initialised: the same copy, the same Go runtime.
                com.sun.jna.Native.register(Bytes.class, com.sun.jna.NativeLibrary.getInstance("evm"));
                bytes = true;
            } catch (RuntimeException | LinkageError e) {
                bytes = false;
            }
        }
        BYTES = bytes;
    }

    /** Whether round trips pass their arguments as bytes (see {@link Bytes}). */
    static boolean byteBinding() {
        return BYTES;
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
        String answer = BYTES ? callWithBytes(method, json) : callWithStrings(method, json);
        if (!answer.startsWith(OK) || !answer.endsWith("}")) {
            throw new IllegalStateException("libevm " + method + " refused " + json + ": " + answer);
        }
        return answer.substring(OK.length(), answer.length() - 1);
    }

    private static String callWithBytes(String method, String json) {
        Pointer p = Bytes.Invoke(cString(method), cString(json));
        if (p == null) throw new IllegalStateException("libevm " + method + " answered nothing");
        try {
            return p.getString(0, "UTF-8");
        } finally {
            Bytes.FreeBuffer(p);
        }
    }

    /** UTF-8 with the terminating zero C expects. */
    private static byte[] cString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(utf8, utf8.length + 1);
    }

    private static String callWithStrings(String method, String json) {
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
        return answer;
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

    static String logs(int handle, Bytes32 txHash) {
        return "{\"handle\":" + handle + ",\"txHash\":\"" + txHash.toHex() + "\"}";
    }

    /**
     * An {@code EvmApply} request without a tracer: the field order and omissions of libevm's
     * mapper (null and empty values left out, byte arrays as base64, numbers as hex quantities).
     */
    static String apply(int handle, Address caller, Address callee, BigInteger value, byte[] input, long gas,
                        BlockContext block, BigInteger gasPrice, int blockHashCallback) {
        StringBuilder b = new StringBuilder(320 + input.length * 4 / 3);
        b.append("{\"handle\":").append(handle).append(",\"invocation\":{\"caller\":\"").append(caller.toHex()).append('"');
        if (callee != null) b.append(",\"callee\":\"").append(callee.toHex()).append('"');
        b.append(",\"value\":\"").append(hex(value)).append('"');
        if (input.length > 0) b.append(",\"input\":\"").append(Base64.getEncoder().encodeToString(input)).append('"');
        b.append(",\"gas\":\"0x").append(Long.toHexString(gas)).append("\",\"readOnly\":false},\"context\":{\"chainID\":\"0x")
                .append(Long.toHexString(block.chainId())).append("\",\"coinbase\":\"").append(block.coinbase().toHex())
                .append("\",\"gasLimit\":\"0x").append(Long.toHexString(block.gasLimit()))
                .append("\",\"gasPrice\":\"").append(hex(gasPrice))
                .append("\",\"blockNumber\":\"0x").append(Long.toHexString(block.number()))
                .append("\",\"time\":\"0x").append(Long.toHexString(block.timestamp()))
                .append("\",\"baseFee\":\"").append(hex(block.baseFee()))
                .append("\",\"random\":\"").append(block.prevRandao().toHex())
                .append("\",\"rules\":{\"isShanghai\":true},\"blockHashCallback\":").append(blockHashCallback)
                .append(",\"initialDepth\":0}}");
        return b.toString();
    }

    /** What {@code EvmApply} answered. */
    record Applied(byte[] returnData, long leftOverGas, String executionError, boolean reverted, Address contractAddress) {}

    private static final JsonFactory JSON = new JsonFactory();

    /** Reads an {@code EvmApply} result object. */
    static Applied applied(String result) {
        byte[] returnData = new byte[0];
        long leftOver = -1;
        String error = "";
        boolean reverted = false;
        Address created = null;
        try (JsonParser p = JSON.createParser(result)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, result);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "returnData" -> returnData = value == JsonToken.VALUE_NULL ? new byte[0] : Base64.getDecoder().decode(p.getText());
                    case "leftOverGas" -> leftOver = quantity("\"" + p.getText() + "\"").longValueExact();
                    case "executionError" -> error = value == JsonToken.VALUE_NULL ? "" : p.getText();
                    case "reverted" -> reverted = value == JsonToken.VALUE_TRUE;
                    case "contractAddress" -> created = value == JsonToken.VALUE_NULL ? null : Address.of(p.getText());
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("libevm answered EvmApply with " + result, e);
        }
        if (leftOver < 0) throw new IllegalStateException("libevm answered EvmApply without leftOverGas: " + result);
        return new Applied(returnData, leftOver, error, reverted, created);
    }

    /** Reads a {@code StateGetLogs} result array. */
    static List<Log> logsOf(String result) {
        List<Log> logs = new ArrayList<>();
        try (JsonParser p = JSON.createParser(result)) {
            JsonToken start = p.nextToken();
            if (start == JsonToken.VALUE_NULL) return logs;
            expect(start, JsonToken.START_ARRAY, result);
            while (p.nextToken() == JsonToken.START_OBJECT) {
                Address address = null;
                List<Bytes32> topics = new ArrayList<>(4);
                byte[] data = new byte[0];
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (field) {
                        case "address" -> address = Address.of(p.getText());
                        case "topics" -> {
                            if (value == JsonToken.START_ARRAY) {
                                while (p.nextToken() == JsonToken.VALUE_STRING) topics.add(Bytes32.of(p.getText()));
                            }
                        }
                        case "data" -> data = value == JsonToken.VALUE_NULL ? new byte[0] : Base64.getDecoder().decode(p.getText());
                        default -> p.skipChildren();
                    }
                }
                if (address == null) throw new IllegalStateException("libevm answered a log without an address: " + result);
                logs.add(new Log(address, List.copyOf(topics), data));
            }
        } catch (IOException e) {
            throw new IllegalStateException("libevm answered StateGetLogs with " + result, e);
        }
        return logs;
    }

    private static void expect(JsonToken actual, JsonToken expected, String result) {
        if (actual != expected) throw new IllegalStateException("libevm answered " + result + ", expected " + expected);
    }
}
