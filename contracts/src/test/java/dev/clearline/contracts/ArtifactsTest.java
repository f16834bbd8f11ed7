package dev.clearline.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clearline.contracts.generated.TestCollateral;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.CustomErrorEncoder;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.utils.Numeric;

class ArtifactsTest {
    private static final String ALICE = "0x00000000000000000000000000000000000a11ce";
    private static final String BOB = "0x0000000000000000000000000000000000000b0b";

    private final ContractArtifact token = Artifacts.onClasspath().load("TestCollateral");

    @Test
    void theTokenArtifactHoldsTheErc20SelectorsEveryWalletKnows() {
        // Published ERC-20 selectors and topic, not computed by the code under test.
        assertThat(token.functionSelectors())
                .containsEntry("balanceOf(address)", "0x70a08231")
                .containsEntry("transfer(address,uint256)", "0xa9059cbb")
                .containsEntry("transferFrom(address,address,uint256)", "0x23b872dd")
                .containsEntry("approve(address,uint256)", "0x095ea7b3");
        assertThat(token.eventsByTopic())
                .containsKey("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
    }

    @Test
    void theArtifactAndTheGeneratedWrapperAgreeOnBytecodeAndCustomErrors() {
        assertThat(Numeric.toHexString(token.creationBytecode())).isEqualTo("0x" + TestCollateral.BINARY);
        assertThat(token.compilerVersion()).startsWith("0.8.37+");
        assertThat(token.sourceName()).isEqualTo("token/TestCollateral.sol");
        assertThat(token.errorsBySelector())
                .containsKey(CustomErrorEncoder.encode(TestCollateral.INSUFFICIENTBALANCE_ERROR).substring(0, 10))
                .containsKey(CustomErrorEncoder.encode(TestCollateral.NOTMINTER_ERROR).substring(0, 10));
        assertThat(token.eventsByTopic()).containsKey(EventEncoder.encode(TestCollateral.APPROVAL_EVENT));
        assertThat(token.errorSignatures()).containsExactly(
                "InsufficientAllowance(address,uint256,uint256)", "InsufficientBalance(address,uint256,uint256)",
                "NotMinter(address)", "ZeroAddress()");
    }

    @Test
    void aCustomErrorRevertDecodesToItsNameAndArguments() {
        // Revert data built the way solc encodes `revert InsufficientBalance(...)`: selector + ABI-encoded arguments.
        String selector = CustomErrorEncoder.encode(TestCollateral.INSUFFICIENTBALANCE_ERROR).substring(0, 10);
        String args = FunctionEncoder.encodeConstructor(
                List.of(new Address(ALICE), new Uint256(5), new Uint256(7)));
        byte[] revertData = Numeric.hexStringToByteArray(selector + args);

        DecodedError decoded = token.decodeError(revertData).orElseThrow();

        assertThat(decoded.error().signature()).isEqualTo("InsufficientBalance(address,uint256,uint256)");
        assertThat(decoded.arguments()).containsExactly(ALICE, BigInteger.valueOf(5), BigInteger.valueOf(7));
        assertThat(decoded).hasToString("InsufficientBalance(" + ALICE + ", 5, 7)");
    }

    @Test
    void revertDataThatIsNotOneOfTheContractsErrorsDecodesToNothing() {
        byte[] errorString = Numeric.hexStringToByteArray("0x08c379a0"); // Error(string), not a custom error
        assertThat(token.decodeError(errorString)).isEmpty();
        assertThat(token.decodeError(new byte[0])).isEmpty();
    }

    @Test
    void aTransferLogDecodesIndexedAndDataInputs() {
        List<byte[]> topics = List.of(
                Numeric.hexStringToByteArray(EventEncoder.encode(TestCollateral.TRANSFER_EVENT)),
                Numeric.hexStringToByteArray(Numeric.toHexStringWithPrefixZeroPadded(Numeric.toBigInt(ALICE), 64)),
                Numeric.hexStringToByteArray(Numeric.toHexStringWithPrefixZeroPadded(Numeric.toBigInt(BOB), 64)));
        byte[] data = Numeric.hexStringToByteArray(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(1_000_000), 64));

        DecodedEvent decoded = token.decodeLog(topics, data).orElseThrow();

        assertThat(decoded.event().name()).isEqualTo("Transfer");
        assertThat(decoded.arguments()).containsExactly(ALICE, BOB, BigInteger.valueOf(1_000_000));
    }

    @Test
    void anUnknownContractNameSaysWhereArtifactsComeFrom() {
        assertThatThrownBy(() -> Artifacts.onClasspath().load("NoSuchContract"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("solidity/NoSuchContract.json")
                .hasMessageContaining("src/main/solidity");
    }

    @Test
    void testContractsAreCompiledToTestArtifacts() {
        ContractArtifact loop = Artifacts.onClasspath().load("KeccakLoop");
        assertThat(loop.deployable()).isTrue();
        assertThat(loop.functionSelectors()).containsKey("chain(bytes32,uint256)");
    }
}
