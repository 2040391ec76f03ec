/** The core's own endpoints (`{apiBasePath}/session/refresh`, `/signout`, the JWKS) as every
 * integration serves them: the core decides which requests are its own and what they answer. */
import { callAsync, callSync } from "../error";
import type { Mutations } from "../native";
import { engine } from "../state";
import type { RequestAdapter } from "./request";
import { nativeRequest } from "./request";

/** The core's answer when `request` is one of its endpoints, else null (the app handles it). */
export async function handleApiRequest(request: RequestAdapter): Promise<Mutations | null> {
  const e = engine();
  if (!callSync(() => e.isApiRequest(request.method(), request.path()))) return null;
  const [method, path, headers, transfer] = nativeRequest(request);
  const answer: Mutations | null | undefined = await callAsync(() =>
    e.handleApiRequest(method, path, headers, transfer),
  );
  return answer ?? null;
}
