import { MemoryStore } from './memory-store.ts';
import { storeConformance } from './conformance.ts';

storeConformance('memory', { create: () => new MemoryStore() });
