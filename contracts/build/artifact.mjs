// What build/compile.mjs and build/mutant-compile.mjs share: the compiler settings (part of the
// protocol, docs/protocol.md section 1) and the shape of one contract's artifact, which
// dev.clearline.contracts.Artifacts reads.
import solc from 'solc';

/** Compiler settings that are part of the protocol (docs/protocol.md section 1). */
export const SETTINGS = Object.freeze({
  evmVersion: 'shanghai',
  optimizer: { enabled: true, runs: 200 },
  viaIR: false,
  outputSelection: {
    '*': {
      '*': [
        'abi',
        'evm.bytecode.object',
        'evm.deployedBytecode.object',
        'evm.deployedBytecode.immutableReferences',
        'evm.methodIdentifiers',
        'storageLayout',
      ],
    },
  },
});

/** The artifact of contract `name` declared in source unit `unit`, from solc's output for it. */
export function artifactOf(name, unit, contract) {
  return {
    contractName: name,
    sourceName: unit,
    compiler: { version: solc.version(), settings: { ...SETTINGS, outputSelection: undefined } },
    abi: contract.abi,
    bytecode: `0x${contract.evm.bytecode.object}`,
    deployedBytecode: `0x${contract.evm.deployedBytecode.object}`,
    // Byte ranges of deployedBytecode that the constructor fills with immutables (zero here).
    immutableReferences: contract.evm.deployedBytecode.immutableReferences ?? {},
    methodIdentifiers: contract.evm.methodIdentifiers,
    storageLayout: contract.storageLayout,
  };
}
