import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

// Node globals for plain JS files (bin/, configs); TS files get them from @types/node.
const nodeGlobals = Object.fromEntries(
  [
    "AbortController",
    "AbortSignal",
    "Buffer",
    "URL",
    "URLSearchParams",
    "TextDecoder",
    "TextEncoder",
    "clearImmediate",
    "clearInterval",
    "clearTimeout",
    "console",
    "fetch",
    "globalThis",
    "performance",
    "process",
    "queueMicrotask",
    "setImmediate",
    "setInterval",
    "setTimeout",
    "structuredClone",
  ].map((name) => [name, "readonly"]),
);

// Browser globals for the dashboard's static UI (src/dashboard/assets), which runs in a page.
const browserGlobals = Object.fromEntries(
  [
    "EventSource",
    "URLSearchParams",
    "clearTimeout",
    "confirm",
    "console",
    "document",
    "fetch",
    "location",
    "setTimeout",
    "window",
  ].map((name) => [name, "readonly"]),
);

const unusedVars = [
  "error",
  {
    argsIgnorePattern: "^_",
    varsIgnorePattern: "^_",
    caughtErrorsIgnorePattern: "^_",
    destructuredArrayIgnorePattern: "^_",
  },
];

export default defineConfig(
  globalIgnores([
    "**/node_modules/",
    ".baton/",
    "dist/",
    "coverage/",
    ".tmp/",
    "**/src/generated/**",
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "no-unused-vars": "off",
      "@typescript-eslint/no-unused-vars": unusedVars,
    },
  },
  {
    // JS files are outside tsconfig, so lint them without type information.
    files: ["**/*.{js,mjs,cjs}"],
    ignores: ["src/dashboard/assets/**"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ["src/dashboard/assets/**/*.js"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: browserGlobals },
  },
);
