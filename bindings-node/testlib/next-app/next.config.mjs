// The native addon must be loaded by Node at run time, not bundled.
export default { serverExternalPackages: ["tessera-session"] };
