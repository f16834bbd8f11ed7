// Hardhat's node as a third-party L1 for Clearline's compatibility tests and benchmark, and the
// project a Hardhat user would point at the devnet (scripts/ run there with --network devnet).
// Chain id and mnemonic match the embedded devnet's defaults so the same keys work on both.
// throwOnTransactionFailures: false makes a reverting transaction come back as a hash with a
// status-0 receipt, as geth and the devnet do, instead of a JSON-RPC error.
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: "shanghai",
      throwOnTransactionFailures: false,
      throwOnCallFailures: true,
      loggingEnabled: false,
      accounts: {
        mnemonic: "test test test test test test test test test test test junk",
        path: "m/44'/60'/0'/0",
        count: 10,
        accountsBalance: "10000000000000000000000",
      },
    },
    // the embedded devnet, for scripts run against it (NetworkHelpersTest sets the URL)
    devnet: {
      url: process.env.CLEARLINE_DEVNET_URL || "http://127.0.0.1:8545",
      accounts: "remote",
    },
  },
};
