// ESLint finds bugs; Prettier (npm run format) owns the layout, so no stylistic rules here.
// Typed rules (recommendedTypeChecked): a promise nobody awaits, a thrown non-Error, a promise
// where a callback's result is ignored, any-typed values flowing into typed code.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "coverage/", "node_modules/", "cdktf.out/", ".ruangkerja-tf/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/only-throw-error": "error",
      "@typescript-eslint/no-floating-promises": "error",
    },
  },
  {
    // Tests read JSON replies and CLI output, whose shape the assertions check: values typed
    // `any` are their daily bread. The promise and throw rules still hold there.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // Fakes implement the async interfaces (client, store) with synchronous bodies.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/unbound-method": "off",
    },
  },
  // Plain JavaScript (scripts, configs) has no types to check.
  { files: ["**/*.js", "**/*.mjs", "**/*.cjs", "vitest.config.ts"], ...tseslint.configs.disableTypeChecked },
);
