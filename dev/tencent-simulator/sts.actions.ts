import { z } from "zod";
import type { ActionContext, ActionHandler } from "./action.types.js";
import { ApiError } from "./api-error.js";
import { parseParams } from "./request-params.js";
import { formatIsoSeconds } from "./time-format.js";

/** STS, API version 2018-08-13. */
export const STS_VERSION = "2018-08-13";

const DEFAULT_DURATION_SECONDS = 7200;
const MAX_DURATION_SECONDS = 43200;
const ROLE_ARN_PATTERN = /^qcs::cam::uin\/(\d+):roleName\/([\w+=,.@-]+)$/;
const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,128}$/;

const assumeRoleSchema = z.strictObject({
  RoleArn: z.string(),
  RoleSessionName: z.string(),
  DurationSeconds: z.number().int().optional(),
  // accepted and ignored: the simulator does not narrow the role's permissions
  Policy: z.string().optional(),
  ExternalId: z.string().optional(),
  Tags: z.array(z.strictObject({ Key: z.string(), Value: z.string() })).optional(),
  SourceIdentity: z.string().optional(),
  SerialNumber: z.string().optional(),
  TokenCode: z.string().optional(),
});

/**
 * Any known account may assume any role (no trust policy is modelled). The temporary credentials
 * act as the role's owner account until `ExpiredTime`, after which calls answer
 * `AuthFailure.TokenFailure`. Error codes follow the STS error list: a RoleArn or session name of
 * the wrong form → `InvalidParameter.ParamError`; DurationSeconds above 43200 →
 * `InvalidParameter.OverTimeError`; a role (or owner account) that does not exist →
 * `ResourceNotFound.RoleNotFound`. Only the `roleName/` ARN form is understood.
 */
function assumeRole({ world, params }: ActionContext): Record<string, unknown> {
  const request = parseParams(assumeRoleSchema, params);
  const arn = ROLE_ARN_PATTERN.exec(request.RoleArn);
  const ownerUin = arn?.[1];
  const roleName = arn?.[2];
  if (!ownerUin || !roleName) {
    throw new ApiError(
      "InvalidParameter.ParamError",
      `\`RoleArn\` must look like qcs::cam::uin/<owner uin>:roleName/<role name>, got "${request.RoleArn}".`,
    );
  }
  if (!SESSION_NAME_PATTERN.test(request.RoleSessionName)) {
    throw new ApiError(
      "InvalidParameter.ParamError",
      "`RoleSessionName` must be 2–128 characters of letters, digits and +=,.@_-.",
    );
  }
  const durationSeconds = request.DurationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (durationSeconds > MAX_DURATION_SECONDS) {
    throw new ApiError(
      "InvalidParameter.OverTimeError",
      `\`DurationSeconds\` is at most ${MAX_DURATION_SECONDS}, got ${durationSeconds}.`,
    );
  }
  if (durationSeconds < 1) {
    throw new ApiError(
      "InvalidParameter.ParamError",
      "`DurationSeconds` must be a positive number of seconds.",
    );
  }
  if (!world.accounts.hasRole(ownerUin, roleName)) {
    throw new ApiError(
      "ResourceNotFound.RoleNotFound",
      `The role ${roleName} does not exist in account ${ownerUin}; create it in CAM > Roles.`,
    );
  }
  const credential = world.accounts.issueTemporaryCredential({
    uin: ownerUin,
    roleArn: request.RoleArn,
    sessionName: request.RoleSessionName,
    durationSeconds,
  });
  return {
    Credentials: {
      TmpSecretId: credential.secretId,
      TmpSecretKey: credential.secretKey,
      Token: credential.token,
    },
    ExpiredTime: Math.floor(credential.expiresAtMs / 1000),
    Expiration: formatIsoSeconds(credential.expiresAtMs),
  };
}

export const STS_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  AssumeRole: assumeRole,
};
