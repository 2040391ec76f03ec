/** What the JWT and OpenID recipes' `init` share. Not a public entry point. */
import { TesseraError } from "../../error";

/** Refuses the overrides of the JWT and OpenID recipes, which Tessera cannot honour: their
 * functions run in the core, and the endpoints are served by it. */
export function refuseOverride(recipe: string, override: unknown): void {
  if (override === undefined || override === null) return;
  if (typeof override !== "object") {
    throw new TesseraError({ type: "INVALID_CONFIG", message: `${recipe}.init: override must be an object` });
  }
  for (const kind of ["functions", "apis"] as const) {
    if ((override as Record<string, unknown>)[kind] !== undefined) {
      throw new TesseraError({
        type: "NOT_SUPPORTED",
        message: `${recipe}.init({override: {${kind}}}) is not supported by Tessera: its functions and endpoints are the core's`,
      });
    }
  }
}
