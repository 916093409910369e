import { MemoryAuditTrail, MemoryRequestStore } from "./memory-ports.js";
import { describeRequestStoreContract } from "./request-store.contract.js";

describeRequestStoreContract("MemoryRequestStore", () => {
  const audit = new MemoryAuditTrail();
  return { store: new MemoryRequestStore({ audit }), audit };
});
