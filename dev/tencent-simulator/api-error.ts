/**
 * An error the simulator answers with, in the Tencent Cloud envelope
 * `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` (HTTP 200).
 * Action handlers throw it; the server turns it into the envelope and records the code.
 */
export class ApiError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
  }
}

/** Codes used in more than one place. Action-specific codes are written where they are thrown. */
export const ErrorCodes = {
  authInvalid: "AuthFailure.InvalidAuthorization",
  secretIdNotFound: "AuthFailure.SecretIdNotFound",
  signatureExpire: "AuthFailure.SignatureExpire",
  signatureFailure: "AuthFailure.SignatureFailure",
  tokenFailure: "AuthFailure.TokenFailure",
  internalError: "InternalError",
  invalidAction: "InvalidAction",
  invalidParameter: "InvalidParameter",
  invalidParameterValue: "InvalidParameterValue",
  missingParameter: "MissingParameter",
  noSuchVersion: "NoSuchVersion",
  requestLimitExceeded: "RequestLimitExceeded",
  requestSizeLimitExceeded: "RequestSizeLimitExceeded",
  unauthorizedOperation: "UnauthorizedOperation",
  unknownParameter: "UnknownParameter",
  unsupportedProtocol: "UnsupportedProtocol",
  unsupportedRegion: "UnsupportedRegion",
} as const;
