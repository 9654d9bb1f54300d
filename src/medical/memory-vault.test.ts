import { MemoryVault } from './memory-vault.ts';
import { vaultConformance } from './vault-conformance.test-util.ts';

vaultConformance('MemoryVault', {
  create: (opts = {}) => new MemoryVault({ records: opts.records, legacyBlobs: opts.legacy }),
});
