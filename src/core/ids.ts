/** Identifier shapes shared by the grammar, the store and the cloud adapter. */
export const SNAPSHOT_ID = /^snap-[a-z0-9]{8}$/;
export const POLICY_ID = /^asp-[a-z0-9]{8}$/;
export const REQUEST_ID = /^rq-[a-z0-9]{6}$/;
export const UIN = /^[0-9]{5,20}$/;
export const REGION = /^[a-z]{2,}(-[a-z]+)+(-[0-9]+)?$/;
export const DESTINATION_ALIAS = /^[a-z][a-z0-9-]{0,39}$/;

/** Tencent's console limit for a snapshot name. */
export const MAX_SNAPSHOT_NAME_LENGTH = 60;

const REQUEST_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Short, human request ids (`rq-7f3a9c`): easy to read aloud and to type in `/snapshot status`. */
export function generateRequestId(random: () => number = Math.random): string {
  let id = "rq-";
  for (let i = 0; i < 6; i++) id += REQUEST_ID_ALPHABET[Math.floor(random() * REQUEST_ID_ALPHABET.length)];
  return id;
}
