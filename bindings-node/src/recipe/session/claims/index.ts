/**
 * Session claims with built-in validators (supertokens-node's
 * `supertokens-node/recipe/session/claims`):
 *
 * ```ts
 * const RolesClaim = new PrimitiveArrayClaim({ key: "roles", fetchValue: (userId) => rolesOf(userId) });
 * app.get("/admin", verifySession({
 *   overrideGlobalClaimValidators: (globalValidators) => [...globalValidators, RolesClaim.validators.includes("admin")],
 * }), handler);
 * ```
 *
 * What each built-in validator checks, when it refetches, and the reason it gives when a check
 * fails are the core's (`tessera_core::claims`), the same in every language; the payload is
 * handed to it as JSON.
 */
import { callSync } from "../../../error";
import { native } from "../../../native";
import type { RecipeUserId } from "../../../recipeUserId";
import type { UserContext } from "../errorHandlers";
import type { SessionClaimValidator } from "../recipeInterface";

/* eslint-disable @typescript-eslint/no-explicit-any -- payloads are `any` in supertokens-node's types */

type Payload = Record<string, any>;

/**
 * A value an application keeps in the access token payload, under `key`, as
 * `{v: value, t: fetchedAtMs}` (supertokens-node's `SessionClaim`). Subclasses give
 * `fetchValue`; one that stores its value in another shape overrides the payload methods too.
 */
export abstract class SessionClaim<T> {
  constructor(public readonly key: string) {}

  /** The claim's current value for the user; `undefined` leaves the payload as it is. */
  abstract fetchValue(
    userId: string,
    recipeUserId: RecipeUserId,
    tenantId: string,
    currentPayload: Payload | undefined,
    userContext: UserContext,
  ): Promise<T | undefined> | T | undefined;

  /** A copy of `payload` with the claim set to `value`, fetched now. */
  addToPayload_internal(payload: Payload, value: T, _userContext?: UserContext): Payload {
    const entry = callSync(() => native().claimEntry(JSON.stringify(value ?? null))) as string;
    return { ...payload, [this.key]: JSON.parse(entry) };
  }

  /** A copy of `payload` with the claim set to `null`, which deletes it when merged into the
   * access token. */
  removeFromPayloadByMerge_internal(payload: Payload, _userContext?: UserContext): Payload {
    return { ...payload, [this.key]: null };
  }

  /** A copy of `payload` without the claim. */
  removeFromPayload(payload: Payload, _userContext?: UserContext): Payload {
    const out = { ...payload };
    delete out[this.key];
    return out;
  }

  /** The claim's value in `payload`, if any. */
  getValueFromPayload(payload: Payload, _userContext?: UserContext): T | undefined {
    return payload?.[this.key]?.v;
  }

  /** When the claim's value was fetched (ms since the epoch), if it has one. */
  getLastRefetchTime(payload: Payload, _userContext?: UserContext): number | undefined {
    return payload?.[this.key]?.t;
  }

  /** The payload update that sets the claim to a freshly fetched value (`{}` when
   * `fetchValue` gives `undefined`). */
  async build(
    userId: string,
    recipeUserId: RecipeUserId,
    tenantId: string,
    currentPayload: Payload | undefined,
    userContext: UserContext,
  ): Promise<Payload> {
    const value = await this.fetchValue(userId, recipeUserId, tenantId, currentPayload, userContext);
    return value === undefined ? {} : this.addToPayload_internal({}, value, userContext);
  }
}

type FetchValue<T> = SessionClaim<T>["fetchValue"];

/** A built-in validator: its check is described as JSON and run by the core. */
function builtinValidator(
  claim: SessionClaim<any>,
  check: Record<string, unknown>,
  maxAgeInSeconds: number | undefined,
  id: string | undefined,
): SessionClaimValidator {
  const spec: Record<string, unknown> = { key: claim.key, check };
  if (maxAgeInSeconds !== undefined) spec.maxAgeInSeconds = maxAgeInSeconds;
  const specJson = JSON.stringify(spec);
  return {
    id: id ?? claim.key,
    claim,
    shouldRefetch: (payload: any) => callSync(() => native().claimShouldRefetch(specJson, JSON.stringify(payload ?? {}))),
    validate: async (payload: any) => {
      const reason = callSync(() => native().claimValidate(specJson, JSON.stringify(payload ?? {})));
      return reason === null || reason === undefined ? { isValid: true } : { isValid: false, reason: JSON.parse(reason) };
    },
  };
}

/** The constructor argument of the built-in claims, as in supertokens-node. */
export interface ClaimConfig<T> {
  key: string;
  fetchValue: FetchValue<T>;
  defaultMaxAgeInSeconds?: number;
}

/** A claim holding one JSON primitive (string, number, boolean). */
export class PrimitiveClaim<T> extends SessionClaim<T> {
  readonly fetchValue: FetchValue<T>;
  readonly defaultMaxAgeInSeconds: number | undefined;

  constructor(config: ClaimConfig<T>) {
    super(config.key);
    this.fetchValue = config.fetchValue;
    this.defaultMaxAgeInSeconds = config.defaultMaxAgeInSeconds;
  }

  validators = {
    /** The claim's value is `val` (refetched when missing or older than `maxAgeInSeconds`). */
    hasValue: (val: T, maxAgeInSeconds: number | undefined = this.defaultMaxAgeInSeconds, id?: string): SessionClaimValidator =>
      builtinValidator(this, { kind: "hasValue", value: val }, maxAgeInSeconds, id),
  };
}

/** A claim holding a boolean. */
export class BooleanClaim extends PrimitiveClaim<boolean> {
  declare validators: PrimitiveClaim<boolean>["validators"] & {
    isTrue: (maxAge?: number, id?: string) => SessionClaimValidator;
    isFalse: (maxAge?: number, id?: string) => SessionClaimValidator;
  };

  constructor(config: ClaimConfig<boolean>) {
    super(config);
    this.validators = {
      ...this.validators,
      isTrue: (maxAge?: number, id?: string) => this.validators.hasValue(true, maxAge, id),
      isFalse: (maxAge?: number, id?: string) => this.validators.hasValue(false, maxAge, id),
    };
  }
}

/** A claim holding a list of JSON primitives (roles, permissions, ...). */
export class PrimitiveArrayClaim<T> extends SessionClaim<T[]> {
  readonly fetchValue: FetchValue<T[]>;
  readonly defaultMaxAgeInSeconds: number | undefined;

  constructor(config: ClaimConfig<T[]>) {
    super(config.key);
    this.fetchValue = config.fetchValue;
    this.defaultMaxAgeInSeconds = config.defaultMaxAgeInSeconds;
  }

  validators = {
    /** The list contains `val`. */
    includes: (val: T, maxAgeInSeconds: number | undefined = this.defaultMaxAgeInSeconds, id?: string) =>
      builtinValidator(this, { kind: "includes", value: val }, maxAgeInSeconds, id),
    /** The list does not contain `val`. */
    excludes: (val: T, maxAgeInSeconds: number | undefined = this.defaultMaxAgeInSeconds, id?: string) =>
      builtinValidator(this, { kind: "excludes", value: val }, maxAgeInSeconds, id),
    /** The list contains every item of `val`. */
    includesAll: (val: T[], maxAgeInSeconds: number | undefined = this.defaultMaxAgeInSeconds, id?: string) =>
      builtinValidator(this, { kind: "includesAll", values: [...val] }, maxAgeInSeconds, id),
    /** The list contains at least one item of `val`. */
    includesAny: (val: T[], maxAgeInSeconds: number | undefined = this.defaultMaxAgeInSeconds, id?: string) =>
      builtinValidator(this, { kind: "includesAny", values: [...val] }, maxAgeInSeconds, id),
    /** The list contains no item of `val`. */
    excludesAll: (val: T[], maxAgeInSeconds: number | undefined = this.defaultMaxAgeInSeconds, id?: string) =>
      builtinValidator(this, { kind: "excludesAll", values: [...val] }, maxAgeInSeconds, id),
  };
}

export default { SessionClaim, PrimitiveClaim, BooleanClaim, PrimitiveArrayClaim };
