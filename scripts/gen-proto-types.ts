/**
 * Generates TypeScript types for the gRPC contract in proto/ with @grpc/proto-loader's
 * proto-loader-gen-types, into src/generated (or the directory given as the first argument).
 *
 * The flags mirror the loader options the gateway and the client load the protos with
 * (src/grpc/proto.ts): longs as Number, enums as String, defaults and virtual oneof fields on;
 * camelCase field names; bytes as Buffer. `--importFileExtension=.js` makes the relative imports
 * resolve under NodeNext. Run from anywhere: paths are resolved against the repository root so
 * the "Original file" comments in the output do not depend on the working directory.
 *
 *   npm run gen:proto            # regenerate src/generated
 *   tsx scripts/gen-proto-types.ts /tmp/out
 */
import { execFile } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const GENERATED_DIR = join(REPO_ROOT, "src", "generated");
const PROTO_ROOT = "proto";
const PACKAGE_DIR = join("baton", "v1");

export const GEN_FLAGS: readonly string[] = [
  "--longs=Number",
  "--enums=String",
  "--defaults",
  "--oneofs",
  "--includeComments",
  "--importFileExtension=.js",
  "--grpcLib=@grpc/grpc-js",
];

/** The .proto files of the contract, relative to proto/ (as they import each other). */
export function protoFiles(): string[] {
  return readdirSync(join(REPO_ROOT, PROTO_ROOT, PACKAGE_DIR))
    .filter((f) => f.endsWith(".proto"))
    .sort()
    .map((f) => `${PACKAGE_DIR}/${f}`);
}

function generatorBin(): string {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve("@grpc/proto-loader/package.json");
  return join(dirname(pkgJson), "build", "bin", "proto-loader-gen-types.js");
}

/** Regenerates `outDir` from scratch (it is emptied first). */
export async function generateProtoTypes(outDir: string = GENERATED_DIR): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  await promisify(execFile)(
    process.execPath,
    [
      generatorBin(),
      ...GEN_FLAGS,
      `--outDir=${resolve(outDir)}`,
      `--includeDirs=${PROTO_ROOT}`,
      "--",
      ...protoFiles(),
    ],
    { cwd: REPO_ROOT },
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? GENERATED_DIR;
  await generateProtoTypes(out);
  console.log(`generated ${out}`);
}
