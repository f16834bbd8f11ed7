// A front end's or a script's use of an L1 through ethers v6 (JsonRpcProvider and the node's own
// signers), run against the node at CLEARLINE_RPC_URL: the devnet, or Hardhat's node for comparison.
// Deploys the TestCollateral artifact at CLEARLINE_ARTIFACT; each step asserts what ethers promises;
// the last line says what ran.
const { ethers } = require("ethers");
const assert = require("node:assert/strict");
const fs = require("node:fs");

async function main() {
  const provider = new ethers.JsonRpcProvider(process.env.CLEARLINE_RPC_URL);
  const artifact = JSON.parse(fs.readFileSync(process.env.CLEARLINE_ARTIFACT, "utf8"));
  const steps = [];
  assert.equal((await provider.getNetwork()).chainId, 31337n);
  const minter = await provider.getSigner(0);
  const holder = await provider.getSigner(1);
  const minterAddress = await minter.getAddress();
  const holderAddress = await holder.getAddress();
  steps.push("network", "getSigner");

  const token = await new ethers.ContractFactory(artifact.abi, artifact.bytecode, minter).deploy(minterAddress);
  await token.waitForDeployment();
  assert.notEqual(await provider.getCode(await token.getAddress()), "0x");
  steps.push("deploy");

  const receipt = await (await token.mint(holderAddress, 1000n)).wait();
  assert.equal(receipt.status, 1);
  assert.equal(await token.balanceOf(holderAddress), 1000n);
  const events = await token.queryFilter(token.filters.Transfer(null, holderAddress), receipt.blockNumber, receipt.blockNumber);
  assert.equal(events.length, 1);
  assert.equal(events[0].args.value, 1000n);
  steps.push("send", "wait", "call", "queryFilter");

  // a custom error, decoded by ethers from the revert data the node returns for the estimate
  await assert.rejects(token.connect(holder).transfer(minterAddress, 5000n), (e) => {
    assert.equal(e.code, "CALL_EXCEPTION");
    const error = token.interface.parseError(e.data);
    assert.equal(error?.name, "InsufficientBalance", "decoded custom error: " + e.message);
    assert.deepEqual(error.args.map(String), [holderAddress, "1000", "5000"]);
    return true;
  });
  await assert.rejects(token.connect(holder).mint.staticCall(holderAddress, 1n), (e) => e.revert?.name === "NotMinter");
  steps.push("custom errors");

  const message = "Clearline devnet";
  assert.equal(ethers.verifyMessage(message, await holder.signMessage(message)), holderAddress);
  // a Clearline order (docs/protocol.md, EIP-712 domain and Order type), signed by the node for its account
  const domain = { name: "Clearline", version: "1", chainId: 31337, verifyingContract: await token.getAddress() };
  const types = {
    Order: [
      { name: "trader", type: "address" }, { name: "market", type: "uint32" }, { name: "isBuy", type: "bool" },
      { name: "price", type: "uint64" }, { name: "size", type: "uint64" }, { name: "displaySize", type: "uint64" },
      { name: "timeInForce", type: "uint8" }, { name: "flags", type: "uint8" }, { name: "peg", type: "uint8" },
      { name: "pegOffset", type: "int32" }, { name: "expiry", type: "uint64" }, { name: "nonce", type: "uint64" },
      { name: "margin", type: "uint64" },
    ],
  };
  const order = {
    trader: holderAddress, market: 1, isBuy: true, price: 60_000_000_000n, size: 2n, displaySize: 0n, timeInForce: 0,
    flags: 0, peg: 0, pegOffset: -5, expiry: 0n, nonce: 7n, margin: 25_000_000n,
  };
  const signature = await holder.signTypedData(domain, types, order);
  assert.equal(ethers.verifyTypedData(domain, types, order, signature), holderAddress);
  steps.push("signMessage", "signTypedData");

  // events as a front end follows them: polled filters over HTTP, subscriptions over the WebSocket on the same port
  const within = (promise, what) => Promise.race([promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error("no " + what + " within 20 s")), 20_000).unref())]);
  provider.pollingInterval = 100;
  // (ethers' polling starts at the latest block, whose earlier mint it may report too: wait for this one)
  const polled = new Promise((resolve) => token.on("Transfer", (from, to, value) => value === 3n && resolve(value)));
  const socket = new ethers.WebSocketProvider(process.env.CLEARLINE_RPC_URL.replace(/^http/, "ws"));
  const socketToken = new ethers.Contract(await token.getAddress(), artifact.abi, socket);
  const pushed = new Promise((resolve) => socketToken.on("Transfer", (from, to, value) => value === 3n && resolve(value)));
  const block = new Promise((resolve) => socket.once("block", resolve));
  await new Promise((resolve) => setTimeout(resolve, 500)); // the filter and the subscriptions in place
  await (await token.mint(holderAddress, 3n)).wait();
  assert.equal(await within(polled, "polled Transfer event"), 3n);
  assert.equal(await within(pushed, "Transfer event over the WebSocket"), 3n);
  assert.ok((await within(block, "new block over the WebSocket")) > 0);
  await token.removeAllListeners();
  await socketToken.removeAllListeners();
  await socket.destroy();
  steps.push("events polled", "events over WebSocket");

  const fees = await provider.getFeeData();
  assert.ok(fees.maxFeePerGas > 0n && fees.maxPriorityFeePerGas >= 0n);
  // (Hardhat's node answers the pending block with number null, which ethers refuses to parse: not asked here)
  const latest = await provider.getBlock("latest");
  assert.equal(latest.number, await provider.getBlockNumber());
  assert.equal((await provider.getBlock(latest.hash)).number, latest.number);
  steps.push("getFeeData", "getBlock");

  console.log("ethers ran: " + steps.join(" "));
  console.log("order signature: " + signature);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
