// Public names of this domain, re-exported by src/index.ts. Filled in by the domain's owner.
export {};
