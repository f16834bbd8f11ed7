package dev.clearline.contracts.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the Solidity campaign mutates: code in function bodies, one change per mutant, never comments, strings or declarations. */
class SolidityMutantsTest {
    static final String SOURCE = """
            // SPDX-License-Identifier: Apache-2.0
            pragma solidity 0.8.37;

            contract C {
                mapping(address => uint256) public balance; // a < b in a comment
                uint256 constant LIMIT = 1 + 2;

                /// @notice pays `amount` if a > b
                function pay(address to, uint256 amount) external {
                    if (amount == 0 || amount > LIMIT) revert Bad("amount > 0");
                    balance[to] += amount; // note: a <= b
                    /* x >= y */ emit Paid(to, amount >> 1);
                    ok = true;
                }
            }
            """;

    static List<String> described(String source) {
        return SolidityMutants.of("c/C.sol", source).stream().map(Mutant::describe).toList();
    }

    @Test
    void codeInFunctionBodiesIsMutatedOneChangeAtATime() {
        assertThat(described(SOURCE)).containsExactly(
                "c/C.sol:10 > to >=: `if (amount == 0 || amount > LIMIT) revert Bad(\"amount > 0\");` -> `if (amount == 0 || amount >= LIMIT) revert Bad(\"amount > 0\");`",
                "c/C.sol:10 == to !=: `if (amount == 0 || amount > LIMIT) revert Bad(\"amount > 0\");` -> `if (amount != 0 || amount > LIMIT) revert Bad(\"amount > 0\");`",
                "c/C.sol:10 || to &&: `if (amount == 0 || amount > LIMIT) revert Bad(\"amount > 0\");` -> `if (amount == 0 && amount > LIMIT) revert Bad(\"amount > 0\");`",
                "c/C.sol:10 delete statement: `if (amount == 0 || amount > LIMIT) revert Bad(\"amount > 0\");` -> `(deleted)`",
                "c/C.sol:11 += to -=: `balance[to] += amount; // note: a <= b` -> `balance[to] -= amount; // note: a <= b`",
                "c/C.sol:11 delete statement: `balance[to] += amount; // note: a <= b` -> `(deleted)`",
                "c/C.sol:12 delete statement: `/* x >= y */ emit Paid(to, amount >> 1);` -> `(deleted)`",
                "c/C.sol:13 true to false: `ok = true;` -> `ok = false;`",
                "c/C.sol:13 delete statement: `ok = true;` -> `(deleted)`");
    }

    @Test
    void aMutantKeepsEveryOtherLineAndTheLineCount() {
        for (Mutant m : SolidityMutants.of("c/C.sol", SOURCE)) {
            String[] original = SOURCE.split("\n", -1), mutated = m.source().split("\n", -1);
            assertThat(mutated).hasSameSizeAs(original);
            for (int i = 0; i < original.length; i++) {
                if (i + 1 != m.line()) assertThat(mutated[i]).as("line %d of %s", i + 1, m.describe()).isEqualTo(original[i]);
                else assertThat(mutated[i]).isNotEqualTo(original[i]);
            }
        }
    }
}
