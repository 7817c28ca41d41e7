import { MemoryMappingStore } from '../../src/adapters/local/memory-mapping-store';
import { mappingStoreContract } from './mapping-store.contract';

mappingStoreContract('MemoryMappingStore', async (opts) => ({
  store: new MemoryMappingStore({ pageSize: opts?.pageSize }),
  cleanup: async () => undefined,
}));
