// Types only (see types.ts): this module has nothing at runtime.
export * from "./types.js";
