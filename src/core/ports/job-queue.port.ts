/** The queue of approved requests. Enqueueing the same request twice yields one job. */
export interface JobQueue {
  enqueueReplication(requestId: string): Promise<void>;
}
