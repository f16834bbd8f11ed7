package dev.clearline.devnet.node;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.math.BigInteger;
import org.web3j.utils.Numeric;

/**
 * A change to an account made outside any transaction, as Hardhat's node allows
 * ({@code hardhat_setBalance}, {@code hardhat_setNonce}, {@code hardhat_setCode},
 * {@code hardhat_setStorageAt}). The node applies it to the head's state at once and records it
 * in the chain, before the next block's transactions, so that re-executing the chain (a reopened
 * data directory, a read at a past block) passes through it in the same place.
 *
 * <p>Addresses are lower-case {@code 0x} hex; code, slots and values are {@code 0x} hex, so a
 * chain file reads as what was sent.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = StateEdit.Balance.class, name = "balance"),
        @JsonSubTypes.Type(value = StateEdit.Nonce.class, name = "nonce"),
        @JsonSubTypes.Type(value = StateEdit.Code.class, name = "code"),
        @JsonSubTypes.Type(value = StateEdit.Storage.class, name = "storage")})
public sealed interface StateEdit {

    String address();

    /** Writes the change into {@code state}. */
    void apply(ChainState state);

    record Balance(String address, BigInteger wei) implements StateEdit {
        @Override
        public void apply(ChainState state) {
            state.setBalance(address, wei);
        }
    }

    record Nonce(String address, BigInteger nonce) implements StateEdit {
        @Override
        public void apply(ChainState state) {
            state.setNonce(address, nonce);
        }
    }

    record Code(String address, String code) implements StateEdit {
        @Override
        public void apply(ChainState state) {
            state.setCode(address, Numeric.hexStringToByteArray(code));
        }
    }

    /** {@code slot} and {@code value} are 32-byte words. */
    record Storage(String address, String slot, String value) implements StateEdit {
        @Override
        public void apply(ChainState state) {
            state.setStorage(address, Numeric.hexStringToByteArray(slot), Numeric.hexStringToByteArray(value));
        }
    }

    /** An edit as the chain records it: with the state root it left, checked when the chain is re-executed. */
    record Applied(StateEdit edit, String root) {}
}
