#!/usr/bin/env node
// Registers tsx first so Baton's TypeScript sources and agent modules written in TS load as-is.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
await main(process.argv.slice(2));
