import { z } from "zod";
import { REQUEST_ID } from "../../core/ids.js";

export const REPLICATION_QUEUE = "replication";

/** The job carries only the request id; the request record in Redis holds the step and its facts. */
export const replicationJobSchema = z.object({ requestId: z.string().regex(REQUEST_ID) });
export type ReplicationJob = z.output<typeof replicationJobSchema>;
