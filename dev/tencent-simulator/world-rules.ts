import { randomInt } from "node:crypto";

/** Shapes the real API accepts; the seeding methods and the action handlers check the same ones. */
export const SNAPSHOT_ID_PATTERN = /^snap-[a-z0-9]{8}$/;
export const AUTO_SNAPSHOT_POLICY_ID_PATTERN = /^asp-[a-z0-9]{8}$/;
export const UIN_PATTERN = /^\d{5,20}$/;
export const REGION_PATTERN = /^[a-z]{2,}-[a-z]+(-[a-z0-9]+)*$/;

/** What every part of the world shares: the cloud clock and one creation counter (ties in lists). */
export interface WorldClock {
  now(): number;
  nextSequence(): number;
}

export function requireUin(uin: string, what: string): void {
  if (!UIN_PATTERN.test(uin)) {
    throw new Error(`${what} must be a numeric account id (a string of digits), got "${uin}"`);
  }
}

export function requireRegion(region: string): void {
  if (!REGION_PATTERN.test(region)) {
    throw new Error(`region must look like "ap-guangzhou", got "${region}"`);
  }
}

export function randomAlphanumeric(length: number, mixedCase: boolean): string {
  const alphabet = mixedCase
    ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    : "abcdefghijklmnopqrstuvwxyz0123456789";
  let text = "";
  for (let index = 0; index < length; index += 1) {
    text += alphabet[randomInt(alphabet.length)];
  }
  return text;
}
