export * from "./index.js";
import cjs from "./index.js";
export default cjs;
