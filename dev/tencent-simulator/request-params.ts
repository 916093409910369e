import type { z } from "zod";
import { ApiError, ErrorCodes } from "./api-error.js";

/**
 * Validates an action's parameters against a zod schema (use `z.strictObject`, so unknown keys are
 * refused like the real API does) and maps the first problem to a Tencent error code:
 * absent → `MissingParameter`, wrong type → `InvalidParameter`, out of range or badly formed →
 * `InvalidParameterValue`, unexpected key → `UnknownParameter`.
 */
export function parseParams<Schema extends z.ZodType>(
  schema: Schema,
  params: Record<string, unknown>,
): z.output<Schema> {
  const result = schema.safeParse(params);
  if (result.success) {
    return result.data;
  }
  const issue = result.error.issues[0];
  if (!issue) {
    return schema.parse(params);
  }
  throw toApiError(issue, params);
}

function toApiError(issue: z.core.$ZodIssue, params: Record<string, unknown>): ApiError {
  const name = issue.path.map(String).join(".");
  switch (issue.code) {
    case "unrecognized_keys": {
      const keys = issue.keys.map((key) => (name ? `${name}.${key}` : key));
      return new ApiError(
        ErrorCodes.unknownParameter,
        `The parameter ${keys.map((key) => `\`${key}\``).join(", ")} is not recognized by this action.`,
      );
    }
    case "invalid_type":
      if (valueAt(params, issue.path) === undefined) {
        return new ApiError(
          ErrorCodes.missingParameter,
          `The request is missing a required parameter \`${name}\`.`,
        );
      }
      return new ApiError(
        ErrorCodes.invalidParameter,
        `The parameter \`${name}\` has the wrong type: expected ${issue.expected}.`,
      );
    case "too_big":
    case "too_small":
    case "invalid_format":
    case "invalid_value":
    case "not_multiple_of":
    case "custom":
      return new ApiError(
        ErrorCodes.invalidParameterValue,
        `The value of parameter \`${name}\` is invalid: ${issue.message}.`,
      );
    default:
      return new ApiError(
        ErrorCodes.invalidParameter,
        `The parameter \`${name}\` is invalid: ${issue.message}.`,
      );
  }
}

function valueAt(params: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = params;
  for (const key of path) {
    if (current === null || typeof current !== "object") {
      return undefined;
    }
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
