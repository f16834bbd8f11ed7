// What a Hardhat project's tests do to their chain through @nomicfoundation/hardhat-network-helpers,
// run unchanged against the network given by --network (the devnet, or Hardhat's own for
// comparison). Each step asserts what the helper promises; the last line says what ran.
const helpers = require("@nomicfoundation/hardhat-network-helpers");
const assert = require("node:assert/strict");

const rpc = (method, params = []) => network.provider.request({ method, params });
const big = async (method, params) => BigInt(await rpc(method, params));

async function main() {
  const someone = "0x00000000000000000000000000000000000f0001";
  const probe = "0x00000000000000000000000000000000000f0002";
  const steps = [];

  await helpers.setBalance(someone, 10n ** 18n);
  assert.equal(await big("eth_getBalance", [someone, "latest"]), 10n ** 18n);
  await helpers.setNonce(someone, 5);
  assert.equal(await big("eth_getTransactionCount", [someone, "latest"]), 5n);
  // runtime code that returns storage word 0
  await helpers.setCode(probe, "0x60005460005260206000f3");
  await helpers.setStorageAt(probe, 0, 42);
  assert.equal(await big("eth_call", [{ to: probe }, "latest"]), 42n);
  assert.equal(BigInt(await helpers.getStorageAt(probe, 0)), 42n);
  steps.push("setBalance", "setNonce", "setCode", "setStorageAt", "getStorageAt");

  const snapshot = await helpers.takeSnapshot();
  const start = await helpers.time.latestBlock();
  await helpers.mine(10, { interval: 12 });
  assert.equal(await helpers.time.latestBlock(), start + 10);
  await helpers.mineUpTo(start + 15);
  assert.equal(await helpers.time.latestBlock(), start + 15);
  const before = await helpers.time.latest();
  await helpers.time.increase(3600);
  assert.equal(await helpers.time.latest(), before + 3600);
  await helpers.time.increaseTo(before + 7200);
  assert.equal(await helpers.time.latest(), before + 7200);
  await helpers.time.setNextBlockTimestamp(before + 9000);
  await helpers.mine();
  assert.equal(await helpers.time.latest(), before + 9000);
  steps.push("takeSnapshot", "mine", "mineUpTo", "time.increase", "time.increaseTo", "time.setNextBlockTimestamp");

  await helpers.setNextBlockBaseFeePerGas(7_000_000_000);
  await helpers.mine();
  const block = await rpc("eth_getBlockByNumber", ["latest", false]);
  assert.equal(BigInt(block.baseFeePerGas), 7_000_000_000n);
  steps.push("setNextBlockBaseFeePerGas");

  await helpers.impersonateAccount(someone);
  const hash = await rpc("eth_sendTransaction", [{ from: someone, to: probe, value: "0x1", gas: "0x7530" }]);
  const receipt = await rpc("eth_getTransactionReceipt", [hash]);
  assert.equal(receipt.status, "0x1");
  assert.equal(receipt.from.toLowerCase(), someone);
  await helpers.stopImpersonatingAccount(someone);
  await assert.rejects(rpc("eth_sendTransaction", [{ from: someone, to: probe, value: "0x1" }]));
  steps.push("impersonateAccount", "stopImpersonatingAccount");

  await rpc("evm_setAutomine", [false]);
  const waiting = await rpc("eth_sendTransaction", [{ from: (await rpc("eth_accounts"))[0], to: probe, value: "0x2" }]);
  await helpers.dropTransaction(waiting);
  await helpers.mine();
  assert.equal(await rpc("eth_getTransactionByHash", [waiting]), null);
  await rpc("evm_setAutomine", [true]);
  steps.push("dropTransaction");

  await snapshot.restore();
  assert.equal(await helpers.time.latestBlock(), start);
  assert.equal(await big("eth_getBalance", [probe, "latest"]), 0n, "the snapshot predates the transfer");
  assert.equal(await big("eth_call", [{ to: probe }, "latest"]), 42n, "and follows the edits");
  steps.push("snapshot.restore");

  // the next blocks' coinbase, gas limit and prevRandao, as the EVM sees them: runtime code that stores
  // PREVRANDAO, COINBASE and GASLIMIT in slots 0, 1 and 2
  const recorder = "0x00000000000000000000000000000000000f0003";
  const coinbase = "0x00000000000000000000000000000000000f0004";
  await helpers.setCode(recorder, "0x44600055416001554560025500");
  await helpers.setCoinbase(coinbase);
  await helpers.setBlockGasLimit(20_000_000);
  await helpers.setPrevRandao(12345);
  const dev = (await rpc("eth_accounts"))[0];
  const sent = await rpc("eth_sendTransaction", [{ from: dev, to: recorder, gas: "0x30d40", maxPriorityFeePerGas: "0x3b9aca00" }]);
  const mined = await rpc("eth_getTransactionReceipt", [sent]);
  const header = await rpc("eth_getBlockByHash", [mined.blockHash, false]);
  assert.equal(BigInt(await helpers.getStorageAt(recorder, 0)), 12345n);
  assert.equal(BigInt(await helpers.getStorageAt(recorder, 1)), BigInt(coinbase));
  assert.equal(BigInt(await helpers.getStorageAt(recorder, 2)), 20_000_000n);
  assert.equal(header.miner.toLowerCase(), coinbase);
  assert.equal(BigInt(header.gasLimit), 20_000_000n);
  assert.equal(BigInt(header.mixHash), 12345n);
  assert.equal(await big("eth_getBalance", [coinbase, "latest"]), BigInt(mined.gasUsed) * 1_000_000_000n, "the tip goes to the coinbase");
  steps.push("setCoinbase", "setBlockGasLimit", "setPrevRandao");

  await helpers.reset();
  assert.equal(await helpers.time.latestBlock(), 0);
  assert.equal(await big("eth_getBalance", [someone, "latest"]), 0n);
  assert.equal(await big("eth_getBalance", [dev, "latest"]), 10_000n * 10n ** 18n);
  steps.push("reset");

  console.log("network helpers ran: " + steps.join(" "));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
