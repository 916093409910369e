import type { SimulatorWorld } from "./simulator.world.js";

export interface ActionContext {
  world: SimulatorWorld;
  /** the account the credentials act as */
  callerUin: string;
  /** `X-TC-Region`; "" for CAM, which has no region */
  region: string;
  params: Record<string, unknown>;
}

/** Returns the response fields (without RequestId) or throws an `ApiError`. */
export type ActionHandler = (context: ActionContext) => Record<string, unknown>;
