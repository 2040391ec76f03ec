/** The process-wide state made by `init`: one native engine and the framework name. */
import { TesseraError } from "./error";
import type { NativeEngine } from "./native";

export interface State {
  engine: NativeEngine;
  framework: string;
}

let current: State | undefined;

export function install(state: State): void {
  current = state;
}

export function state(): State {
  if (current === undefined) {
    throw new TesseraError({
      type: "INVALID_CONFIG",
      message: "Initialisation not done. Did you forget to call Tessera.init()?",
    });
  }
  return current;
}

export function engine(): NativeEngine {
  return state().engine;
}
