import { keyTableConformance, memoryKeyTables } from './key-table-conformance.ts';

keyTableConformance('MemoryKeyTable', memoryKeyTables);
