import { z } from "zod";
import type { ActionContext, ActionHandler } from "./action.types.js";
import { ApiError } from "./api-error.js";
import { parseParams } from "./request-params.js";

/** CAM, API version 2019-01-16. No region; every answer is about the calling (owner) account. */
export const CAM_VERSION = "2019-01-16";

const listCollaboratorsSchema = z.strictObject({
  Limit: z.number().int().min(1).max(1000).optional(),
  Offset: z.number().int().min(0).optional(),
});

function listCollaborators({ world, callerUin, params }: ActionContext): Record<string, unknown> {
  const request = parseParams(listCollaboratorsSchema, params);
  const collaborators = world.cam.collaboratorsOf(callerUin);
  const offset = request.Offset ?? 0;
  return {
    TotalNum: collaborators.length,
    Data: collaborators.slice(offset, offset + (request.Limit ?? 20)).map((collaborator) => ({
      Uin: Number(collaborator.uin),
      Name: collaborator.name,
      Uid: Number(collaborator.uin.slice(-9)),
      Remark: "",
      ConsoleLogin: 1,
      PhoneNum: "",
      CountryCode: "",
      Email: "",
      CreateTime: collaborator.createTime,
      NickName: collaborator.name,
    })),
  };
}

const listAttachedUserAllPoliciesSchema = z.strictObject({
  TargetUin: z.number().int().positive(),
  Rp: z.number().int().min(1).max(200),
  Page: z.number().int().min(1).max(200),
  AttachType: z.number().int().min(0).max(2),
  StrategyType: z.number().int().min(1).max(2).optional(),
  Keyword: z.string().optional(),
});

/** AttachType 0: direct and through groups (one entry per policy, `Groups` lists the groups); 1: direct; 2: groups. */
function listAttachedUserAllPolicies({ world, callerUin, params }: ActionContext): Record<string, unknown> {
  const request = parseParams(listAttachedUserAllPoliciesSchema, params);
  const targetUin = String(request.TargetUin);
  if (!world.cam.knowsUser(callerUin, targetUin)) {
    throw new ApiError(
      "ResourceNotFound.UserNotExist",
      `User ${targetUin} is neither a collaborator nor a user of account ${callerUin}.`,
    );
  }
  const keyword = request.Keyword?.toLowerCase();
  const policies = world.cam
    .attachedPolicies(callerUin, targetUin)
    .map((attached) => ({
      ...attached,
      groups: request.AttachType === 1 ? [] : attached.groups,
    }))
    .filter((attached) => {
      if (request.AttachType === 1 && !attached.direct) return false;
      if (request.AttachType === 2 && attached.groups.length === 0) return false;
      if (request.StrategyType === 1 && attached.policy.type !== "custom") return false;
      if (request.StrategyType === 2 && attached.policy.type !== "preset") return false;
      return keyword === undefined || attached.policy.name.toLowerCase().includes(keyword);
    });
  const start = (request.Page - 1) * request.Rp;
  return {
    TotalNum: policies.length,
    PolicyList: policies.slice(start, start + request.Rp).map(({ policy, groups, addTime }) => ({
      PolicyId: String(policy.policyId),
      PolicyName: policy.name,
      Description: policy.description,
      AddTime: addTime,
      StrategyType: policy.type === "custom" ? "1" : "2",
      CreateMode: policy.type === "custom" ? "2" : "1",
      Groups: groups.map((group) => ({ GroupId: group.groupId, GroupName: group.name })),
      Deactived: 0,
      DeactivedDetail: [],
    })),
  };
}

const getPolicySchema = z.strictObject({ PolicyId: z.number().int().positive() });

function getPolicy({ world, callerUin, params }: ActionContext): Record<string, unknown> {
  const { PolicyId: policyId } = parseParams(getPolicySchema, params);
  const policy = world.cam.getPolicy(callerUin, policyId);
  if (!policy) {
    throw new ApiError(
      "ResourceNotFound.PolicyIdNotFound",
      `The policy ${policyId} does not exist in account ${callerUin}.`,
    );
  }
  return {
    PolicyName: policy.name,
    Description: policy.description,
    Type: policy.type === "custom" ? 1 : 2,
    AddTime: policy.addTime,
    UpdateTime: policy.addTime,
    PolicyDocument: policy.document,
    PresetAlias: policy.type === "preset" ? policy.name : "",
    IsServiceLinkedRolePolicy: 0,
    Tags: [],
  };
}

export const CAM_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  ListCollaborators: listCollaborators,
  ListAttachedUserAllPolicies: listAttachedUserAllPolicies,
  GetPolicy: getPolicy,
};
