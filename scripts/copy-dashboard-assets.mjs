// `npm run build`: the dashboard's static UI beside its compiled routes (dist/src/dashboard/).
import { cpSync, rmSync } from "node:fs";

const from = new URL("../src/dashboard/assets/", import.meta.url);
const to = new URL("../dist/src/dashboard/assets/", import.meta.url);
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
console.log("copied the dashboard assets to dist/src/dashboard/assets");
