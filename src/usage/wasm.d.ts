// WebAssembly for the host's code: a module imported by a source file is its bytes (esbuild.mjs,
// loader `binary`), and the few classes used to run one (their types are in TypeScript's DOM
// library only, which this project does not load).
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}

declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: Record<string, never>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}
