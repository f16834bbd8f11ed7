// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title KeccakLoop
/// @notice Benchmark workload: a view function that chains `rounds` Keccak-256 hashes.
/// @dev Test-only; `rounds` is bounded so one call stays a fixed, small amount of gas.
contract KeccakLoop {
    /// @notice Thrown when more rounds are asked for than a benchmark call should run.
    error TooManyRounds(uint256 rounds, uint256 max);

    uint256 public constant MAX_ROUNDS = 10_000;

    /// @notice Returns keccak256 applied `rounds` times, starting from `seed`.
    /// @param seed The first input.
    /// @param rounds How many times to hash; at most MAX_ROUNDS.
    function chain(bytes32 seed, uint256 rounds) external pure returns (bytes32 h) {
        if (rounds > MAX_ROUNDS) revert TooManyRounds(rounds, MAX_ROUNDS);
        h = seed;
        for (uint256 i = 0; i < rounds; ++i) {
            h = keccak256(abi.encodePacked(h));
        }
    }
}
