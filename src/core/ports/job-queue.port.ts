/** The queue of approved requests. Enqueueing the same request twice yields one job. */
export interface JobQueue {
  enqueueRequest(requestId: string): Promise<void>;
}
