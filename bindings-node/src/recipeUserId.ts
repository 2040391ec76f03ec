/** The id of a user as one login method knows it (`rsub`). Tessera has no account linking, so
 * it is usually the user id; the type exists so supertokens-node code runs unchanged. */
export class RecipeUserId {
  private readonly recipeUserId: string;

  constructor(recipeUserId: string) {
    if (typeof recipeUserId !== "string") {
      throw new TypeError(`recipeUserId must be a string, not ${typeof recipeUserId}`);
    }
    this.recipeUserId = recipeUserId;
  }

  getAsString(): string {
    return this.recipeUserId;
  }

  toString(): string {
    return this.recipeUserId;
  }
}

/** A recipe user id given as a {@link RecipeUserId} or a string, as a string. */
export function recipeUserIdString(value: RecipeUserId | string): string {
  if (value instanceof RecipeUserId) return value.getAsString();
  if (typeof value === "string") return value;
  throw new TypeError("recipeUserId must be a RecipeUserId or a string");
}
