import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PRESET_POLICIES } from "../../dev/tencent-simulator/index.js";
import {
  evaluatePolicies,
  type NamedPolicyDocument,
  type PolicyVerdict,
  parsePolicyDocument,
  type ResourceTarget,
} from "../../src/core/cam/cam-policy.evaluator.js";

const SOURCE = "100000000001";
const MANUAL = "cvm:CopySnapshotCrossAccount";
const AUTO = "cvm:CopyAutoSnapshotPolicyCrossAccount";
const SNAPSHOT: ResourceTarget = {
  service: "cvm",
  ownerUin: SOURCE,
  resourceType: "snapshot",
  region: "ap-shanghai",
  resourceId: "snap-abc12345",
};
const AUTO_POLICY: ResourceTarget = {
  service: "cvm",
  ownerUin: SOURCE,
  resourceType: "autoSnapshotPolicy",
  region: "ap-shanghai",
  resourceId: "asp-abc12345",
};

type Expected = "allow" | "deny" | "not granted" | "cannot verify";

function outcome(verdict: PolicyVerdict): Expected {
  if (verdict.kind === "allow") return "allow";
  if (verdict.kind === "cannot-verify") return "cannot verify";
  return verdict.explicit ? "deny" : "not granted";
}

const doc = (...statement: unknown[]) => JSON.stringify({ version: "2.0", statement });
const allow = (action: unknown, resource: unknown = "*", extra: object = {}) => ({
  effect: "allow",
  action,
  resource,
  ...extra,
});
const deny = (action: unknown, resource: unknown = "*", extra: object = {}) => ({
  effect: "deny",
  action,
  resource,
  ...extra,
});
const preset = (name: string) => PRESET_POLICIES.find((p) => p.name === name)?.document ?? "";
const minimalPolicyFile = readFileSync(
  new URL("../../policies/minimal-cross-account-copy.json", import.meta.url),
  "utf8",
);
const condition = { ip_equal: { "qcs:ip": ["10.0.0.0/8"] } };

/** [what, documents, CopySnapshotCrossAccount, CopyAutoSnapshotPolicyCrossAccount] */
const TABLE: Array<[string, string | string[], Expected, Expected]> = [
  ["the shipped minimal policy", minimalPolicyFile, "allow", "allow"],
  ["preset AdministratorAccess (*)", preset("AdministratorAccess"), "allow", "allow"],
  ["preset QcloudCVMFullAccess (cvm:*)", preset("QcloudCVMFullAccess"), "allow", "allow"],
  [
    "the guide's wildcard sample",
    doc(allow(["cvm:*Cbs*", "cvm:*Storage*", "cvm:*Snapshot*"])),
    "allow",
    "allow",
  ],
  ["cvm:*Snapshot* alone", doc(allow("cvm:*Snapshot*")), "allow", "allow"],
  ["action as a string: the manual action only", doc(allow(MANUAL)), "allow", "not granted"],
  ["action as a list: the auto action only", doc(allow([AUTO])), "not granted", "allow"],
  ["lower case action", doc(allow("cvm:copysnapshotcrossaccount")), "allow", "not granted"],
  ["upper case action and service", doc(allow("CVM:COPYSNAPSHOTCROSSACCOUNT")), "allow", "not granted"],
  ["name/ prefix", doc(allow(`name/${MANUAL}`)), "allow", "not granted"],
  ["name/ prefix in upper case", doc(allow(`NAME/${AUTO}`)), "not granted", "allow"],
  // A feature set or permission id (`permid/…`, `actionName/…`): the APIs it covers are unknown.
  ["permid/ feature set allows", doc(allow("permid/1234")), "cannot verify", "cannot verify"],
  ["actionName/ prefix allows", doc(allow(`actionName/${MANUAL}`)), "cannot verify", "cannot verify"],
  [
    "permid/ next to a plain grant of one action",
    doc(allow(["permid/1234", MANUAL])),
    "allow",
    "cannot verify",
  ],
  [
    "allow * but deny through permid/",
    doc(allow("*"), deny("permid/1234")),
    "cannot verify",
    "cannot verify",
  ],
  [
    "allow * but deny through actionName/",
    doc(allow("*"), deny(`actionName/${AUTO}`)),
    "cannot verify",
    "cannot verify",
  ],
  [
    "deny through permid/ in another document",
    [doc(allow(AUTO)), doc(deny("permid/77"))],
    "not granted",
    "cannot verify",
  ],
  [
    "deny through permid/ on another account's resources",
    doc(allow("*"), deny("permid/1234", "qcs::cvm::uin/999999999:*")),
    "allow",
    "allow",
  ],
  ["a deny through permid/ alone is no grant", doc(deny("permid/1234")), "not granted", "not granted"],
  ["? wildcard", doc(allow("cvm:CopySnapshotCrossAccoun?")), "allow", "not granted"],
  [
    "? needs exactly one character",
    doc(allow("cvm:CopySnapshotCrossAccount?")),
    "not granted",
    "not granted",
  ],
  ["cvm:Copy*CrossAccount", doc(allow("cvm:Copy*CrossAccount")), "allow", "allow"],
  ["cvm:CopySnapshot* (prefix)", doc(allow("cvm:CopySnapshot*")), "allow", "not granted"],
  [
    "another service prefix (cbs:)",
    doc(allow(["cbs:CopySnapshotCrossAccount", "cbs:*"])),
    "not granted",
    "not granted",
  ],
  ["read-only actions", doc(allow(["cvm:Describe*", "cvm:Inquiry*"])), "not granted", "not granted"],
  ["deny beats allow in the same document", doc(allow("cvm:*"), deny(MANUAL)), "deny", "allow"],
  ["deny * beats allow *", doc(deny("*"), allow("*")), "deny", "deny"],
  [
    "statement as one object",
    JSON.stringify({ version: "2.0", statement: allow(MANUAL) }),
    "allow",
    "not granted",
  ],
  [
    "effect and keys in other case",
    JSON.stringify({ Version: "2.0", Statement: [{ Effect: "Allow", Action: "cvm:*", Resource: "*" }] }),
    "allow",
    "allow",
  ],
  [
    "resource: this snapshot",
    doc(allow("cvm:*", `qcs::cvm:ap-shanghai:uin/${SOURCE}:snapshot/snap-abc12345`)),
    "allow",
    "not granted",
  ],
  [
    "resource: every snapshot, any region",
    doc(allow("cvm:*", [`qcs::cvm::uin/${SOURCE}:snapshot/*`])),
    "allow",
    "not granted",
  ],
  [
    "resource: another region",
    doc(allow("cvm:*", `qcs::cvm:ap-guangzhou:uin/${SOURCE}:snapshot/*`)),
    "not granted",
    "not granted",
  ],
  [
    "resource: another account",
    doc(allow("cvm:*", "qcs::cvm::uin/999999999:*")),
    "not granted",
    "not granted",
  ],
  ["resource: empty segments mean all", doc(allow("cvm:*", "qcs::cvm:::*")), "allow", "allow"],
  [
    "resource: auto snapshot policies only",
    doc(allow("cvm:*", `qcs::cvm::uin/${SOURCE}:autoSnapshotPolicy/*`)),
    "not granted",
    "allow",
  ],
  [
    "resource in a project the bot cannot see",
    doc(allow("cvm:*", `qcs:id/0:cvm::uin/${SOURCE}:snapshot/*`)),
    "cannot verify",
    "not granted",
  ],
  ["allow under a condition", doc(allow("cvm:*", "*", { condition })), "cannot verify", "cannot verify"],
  ["an empty condition is no condition", doc(allow("cvm:*", "*", { condition: {} })), "allow", "allow"],
  [
    "unconditional allow next to a conditional one",
    doc(allow(MANUAL, "*", { condition }), allow("cvm:*")),
    "allow",
    "allow",
  ],
  [
    "deny under a condition next to an allow",
    doc(allow("*"), deny("cvm:*", "*", { condition })),
    "cannot verify",
    "cannot verify",
  ],
  [
    "deny under a condition and no allow",
    doc(deny("cvm:*", "*", { condition })),
    "not granted",
    "not granted",
  ],
  [
    "deny of another snapshot does not apply",
    doc(allow("*"), deny(MANUAL, `qcs::cvm::uin/${SOURCE}:snapshot/snap-other001`)),
    "allow",
    "allow",
  ],
  ["empty statement list", doc(), "not granted", "not granted"],
  ["malformed JSON", '{"version":"2.0","statement":[{"effect":"allow",', "cannot verify", "cannot verify"],
  ["not an object", '["cvm:*"]', "cannot verify", "cannot verify"],
  ["version missing", JSON.stringify({ statement: [allow("*")] }), "cannot verify", "cannot verify"],
  [
    "version 1.0",
    JSON.stringify({ version: "1.0", statement: [allow("*")] }),
    "cannot verify",
    "cannot verify",
  ],
  ["statement missing", JSON.stringify({ version: "2.0" }), "cannot verify", "cannot verify"],
  ["effect missing", doc({ action: "*", resource: "*" }), "cannot verify", "cannot verify"],
  [
    "effect neither allow nor deny",
    doc({ effect: "permit", action: "*", resource: "*" }),
    "cannot verify",
    "cannot verify",
  ],
  ["action of the wrong type", doc(allow(42)), "cannot verify", "cannot verify"],
  ["resource missing", doc({ effect: "allow", action: "*" }), "cannot verify", "cannot verify"],
  ["URL-encoded document", encodeURIComponent(doc(allow("cvm:*Snapshot*"))), "allow", "allow"],
  ["two documents: allow in one, deny in the other", [doc(allow("*")), doc(deny(AUTO))], "allow", "deny"],
  ["two documents: malformed one and an explicit deny", ["{oops", doc(deny("*"))], "deny", "deny"],
  ["two documents: allow and a malformed one", [doc(allow("*")), "{oops"], "cannot verify", "cannot verify"],
  [
    "two documents: neither grants",
    [doc(allow("cvm:Describe*")), doc(allow("cos:*"))],
    "not granted",
    "not granted",
  ],
];

describe("CAM policy evaluator", () => {
  it("has a table of at least 30 documents", () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(30);
  });

  it.each(TABLE)("%s → %s / %s", (_what, documents, manual, auto) => {
    const named: NamedPolicyDocument[] = (Array.isArray(documents) ? documents : [documents]).map((d, i) => ({
      name: `policy-${i + 1}`,
      document: d,
    }));
    expect(outcome(evaluatePolicies(named, MANUAL, SNAPSHOT))).toBe(manual);
    expect(outcome(evaluatePolicies(named, AUTO, AUTO_POLICY))).toBe(auto);
  });

  it("names the policy and statement that decided", () => {
    const verdict = evaluatePolicies(
      [
        { name: "ReadOnly", document: doc(allow("cvm:Describe*")) },
        { name: "NoCopies", document: doc(allow("cvm:*"), deny("cvm:Copy*")) },
      ],
      MANUAL,
      SNAPSHOT,
    );
    expect(verdict).toEqual({
      kind: "deny",
      explicit: true,
      deniedBy: { policyName: "NoCopies", statement: 2 },
    });
  });

  it("names the prefixed action it cannot expand, and a deny written that way is never ignored", () => {
    const verdict = evaluatePolicies(
      [
        { name: "Everything", document: doc(allow("*")) },
        { name: "NoCopyFeature", document: doc(deny("permid/4711")) },
      ],
      AUTO,
      AUTO_POLICY,
    );
    expect(verdict.kind).toBe("cannot-verify");
    expect(JSON.stringify(verdict)).toContain("NoCopyFeature");
    expect(JSON.stringify(verdict)).toContain("permid/4711");
  });

  it("shows the condition it cannot evaluate", () => {
    const verdict = evaluatePolicies(
      [{ name: "OfficeOnly", document: doc(allow("cvm:*", "*", { condition })) }],
      MANUAL,
      SNAPSHOT,
    );
    expect(verdict.kind).toBe("cannot-verify");
    expect(JSON.stringify(verdict)).toContain("OfficeOnly");
    expect(JSON.stringify(verdict)).toContain("10.0.0.0/8");
  });

  it("reports a malformed document instead of throwing", () => {
    const parsed = parsePolicyDocument("{not json");
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.problem).toMatch(/not valid JSON/);
    const verdict = evaluatePolicies([{ name: "Broken", document: "{not json" }], MANUAL, SNAPSHOT);
    expect(verdict.kind === "cannot-verify" && verdict.reasons.join(" ")).toMatch(/"Broken" cannot be read/);
  });

  it("without a known snapshot, a grant on some snapshots only cannot be verified", () => {
    const anySnapshot: ResourceTarget = { service: "cvm", ownerUin: SOURCE, resourceType: "snapshot" };
    const narrow = [
      { name: "One", document: doc(allow("cvm:*", `qcs::cvm::uin/${SOURCE}:snapshot/snap-abc12345`)) },
    ];
    expect(outcome(evaluatePolicies(narrow, MANUAL, anySnapshot))).toBe("cannot verify");
    const regional = [
      { name: "Sh", document: doc(allow("cvm:*", `qcs::cvm:ap-shanghai:uin/${SOURCE}:snapshot/*`)) },
    ];
    expect(outcome(evaluatePolicies(regional, MANUAL, anySnapshot))).toBe("cannot verify");
    const broad = [{ name: "All", document: doc(allow("cvm:*", `qcs::cvm::uin/${SOURCE}:snapshot/*`)) }];
    expect(outcome(evaluatePolicies(broad, MANUAL, anySnapshot))).toBe("allow");
  });
});
