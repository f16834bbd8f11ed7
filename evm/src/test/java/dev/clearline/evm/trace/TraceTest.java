package dev.clearline.evm.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearline.evm.Address;
import dev.clearline.evm.Asm;
import dev.clearline.evm.BlockContext;
import dev.clearline.evm.Evm;
import dev.clearline.evm.ExecutionOptions;
import dev.clearline.evm.Hex;
import dev.clearline.evm.Message;
import dev.clearline.evm.WorldState;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TraceTest {
    static final Address ALICE = Address.ofLong(0xa11ce);
    static final BlockContext BLOCK = BlockContext.of(1, 1, 1);
    static final ObjectMapper JSON = new ObjectMapper();

    final WorldState state = WorldState.inMemory();
    final Evm evm = new Evm(state);

    @AfterEach
    void close() {
        state.close();
    }

    Address deploy(byte[] runtime) {
        return evm.transact(Message.create(ALICE, Asm.deployer(runtime)), BLOCK).contractAddress();
    }

    /** (2 + 3) * 4, then STOP. */
    Address arithmetic() {
        return deploy(Asm.code().push(2).push(3).op("ADD").push(4).op("MUL", "STOP").bytes());
    }

    @Test
    void stepTraceListsEveryOpcodeWithGasAndTheFinalStack() {
        Address c = arithmetic();

        Traced<StructTrace> traced = evm.trace(Message.call(ALICE, c, new byte[0]).withGasLimit(100_000), BLOCK,
                ExecutionOptions.DEFAULT, TraceRequest.steps(), false);

        StructTrace trace = traced.trace();
        assertThat(trace.ops()).containsExactly("PUSH1", "PUSH1", "ADD", "PUSH1", "MUL", "STOP");
        assertThat(trace.structLogs()).extracting(StructLog::pc).containsExactly(0L, 2L, 4L, 5L, 7L, 8L);
        assertThat(trace.structLogs()).extracting(StructLog::gasCost).containsExactly(3L, 3L, 3L, 3L, 5L, 0L);
        StructLog stop = trace.structLogs().getLast();
        assertThat(stop.stack()).contains(List.of(BigInteger.valueOf(20)));
        assertThat(trace.structLogs().get(4).stack()).contains(List.of(BigInteger.valueOf(5), BigInteger.valueOf(4)));
        // Gas left falls by each step's cost, from the limit minus the 21000 intrinsic gas.
        assertThat(trace.structLogs()).extracting(StructLog::gas).containsExactly(79_000L, 78_997L, 78_994L, 78_991L, 78_988L, 78_983L);
        assertThat(trace.gas()).isEqualTo(21_017).isEqualTo(traced.result().gasUsed());
        assertThat(trace.failed()).isFalse();
    }

    @Test
    void stepTraceJsonHasGethsShape() throws Exception {
        Address c = arithmetic();
        StructTrace trace = evm.trace(Message.call(ALICE, c, new byte[0]), BLOCK, ExecutionOptions.DEFAULT,
                TraceRequest.steps().withMemory(), false).trace();

        JsonNode json = JSON.readTree(trace.toJson());

        assertThat(json.get("gas").isNumber()).isTrue();
        assertThat(json.get("failed").asBoolean()).isFalse();
        assertThat(json.get("returnValue").asText()).isEmpty();
        JsonNode mul = json.get("structLogs").get(4);
        assertThat(mul.get("pc").asLong()).isEqualTo(7);
        assertThat(mul.get("op").asText()).isEqualTo("MUL");
        assertThat(mul.get("gasCost").asLong()).isEqualTo(5);
        assertThat(mul.get("depth").asInt()).isEqualTo(1);
        assertThat(mul.get("stack")).extracting(JsonNode::asText).containsExactly("0x5", "0x4");
        assertThat(mul.get("memory").isArray()).isTrue();
        assertThat(StructTrace.fromJson(trace.toJson())).isEqualTo(trace);
    }

    @Test
    void callTreeShowsNestedCallsTheirKindsAndTheRevertReason() {
        Address failing = deploy(Asm.reverting(Abi.errorString("nope")));
        Address answering = deploy(Asm.code().push(42).returnTop().bytes());
        // CALL(gas, failing, value 0, args 0..1, ret 0..0); STATICCALL(gas, answering, 0, 0, 0, 32); STOP
        Address caller = deploy(Asm.code()
                .push(0).push(0).push(1).push(0).push(0).push(failing).op("GAS", "CALL", "POP")
                .push(32).push(0).push(0).push(0).push(answering).op("GAS", "STATICCALL", "POP", "STOP").bytes());

        Traced<CallFrame> traced = evm.trace(Message.call(ALICE, caller, new byte[] {9}), BLOCK, ExecutionOptions.DEFAULT,
                TraceRequest.callTree(), false);

        CallFrame root = traced.trace();
        assertThat(root.type()).isEqualTo("CALL");
        assertThat(root.from()).isEqualTo(ALICE);
        assertThat(root.to()).contains(caller);
        assertThat(root.input()).isEqualTo(new byte[] {9});
        assertThat(root.gasUsed()).isEqualTo(traced.result().gasUsed());
        assertThat(root.error()).isEmpty();
        assertThat(root.calls()).hasSize(2);
        CallFrame first = root.calls().get(0);
        assertThat(first.type()).isEqualTo("CALL");
        assertThat(first.from()).isEqualTo(caller);
        assertThat(first.to()).contains(failing);
        assertThat(first.error()).contains("execution reverted");
        assertThat(first.revertReason()).contains("nope");
        assertThat(first.output()).hasValueSatisfying(o -> assertThat(o).isEqualTo(Abi.errorString("nope")));
        CallFrame second = root.calls().get(1);
        assertThat(second.type()).isEqualTo("STATICCALL");
        assertThat(second.to()).contains(answering);
        assertThat(second.value()).isEmpty();
        assertThat(second.output().map(o -> new BigInteger(1, o))).contains(BigInteger.valueOf(42));
        assertThat(root.flatten()).hasSize(3);
    }

    @Test
    void callTreeJsonHasGethsShapeAndRoundTrips() throws Exception {
        Address failing = deploy(Asm.reverting(Abi.errorString("nope")));
        Address caller = deploy(Asm.code()
                .push(0).push(0).push(0).push(0).push(0).push(failing).op("GAS", "CALL", "STOP").bytes());
        CallFrame tree = evm.trace(Message.call(ALICE, caller, new byte[] {1}), BLOCK, ExecutionOptions.DEFAULT,
                TraceRequest.callTree(), false).trace();

        JsonNode json = JSON.readTree(tree.toJson());

        assertThat(json.get("type").asText()).isEqualTo("CALL");
        assertThat(json.get("from").asText()).isEqualTo(ALICE.toHex());
        assertThat(json.get("to").asText()).isEqualTo(caller.toHex());
        assertThat(json.get("gas").asText()).startsWith("0x");
        assertThat(json.get("gasUsed").asText()).matches("0x[0-9a-f]+");
        assertThat(json.get("input").asText()).isEqualTo("0x01");
        assertThat(json.get("value").asText()).isEqualTo("0x0");
        JsonNode child = json.get("calls").get(0);
        assertThat(child.get("error").asText()).isEqualTo("execution reverted");
        assertThat(child.get("revertReason").asText()).isEqualTo("nope");
        assertThat(child.get("output").asText()).isEqualTo(Hex.encode(Abi.errorString("nope")));
        assertThat(child.has("calls")).isFalse();
        assertThat(CallFrame.fromJson(tree.toJson())).isEqualTo(tree);
    }

    @Test
    void tracingATransactionKeepsItsChangesWhenAsked() {
        Address store = deploy(Asm.code().push(7).push(0).op("SSTORE", "STOP").bytes());

        Traced<StructTrace> traced = evm.trace(Message.call(ALICE, store, new byte[0]), BLOCK, ExecutionOptions.DEFAULT,
                TraceRequest.steps(), true);

        assertThat(state.storageAt(store, dev.clearline.evm.Bytes32.ZERO)).isEqualTo(dev.clearline.evm.Bytes32.of(7));
        StructLog sstore = traced.trace().structLogs().get(2);
        assertThat(sstore.op()).isEqualTo("SSTORE");
        assertThat(sstore.storage()).contains(java.util.Map.of(
                "0000000000000000000000000000000000000000000000000000000000000000",
                "0000000000000000000000000000000000000000000000000000000000000007"));
    }

    @Test
    void aRejectedMessageHasNoTrace() {
        Traced<CallFrame> traced = evm.trace(Message.call(ALICE, Address.ofLong(5), new byte[] {1}), BLOCK,
                ExecutionOptions.DEFAULT, TraceRequest.callTree(), false);

        assertThat(traced.result().succeeded()).isFalse();
        assertThat(Optional.ofNullable(traced.trace())).isEmpty();
    }

    /** Error(string) revert data, encoded by hand. */
    static final class Abi {
        static byte[] errorString(String message) {
            byte[] text = message.getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[4 + 32 + 32 + 32];
            System.arraycopy(Hex.decode("08c379a0"), 0, out, 0, 4);
            out[4 + 31] = 32;
            out[4 + 63] = (byte) text.length;
            System.arraycopy(text, 0, out, 4 + 64, text.length);
            return out;
        }
    }
}
