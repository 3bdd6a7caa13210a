// ESLint for the whole workspace, in the Effect template's manner: typescript-eslint's recommended rules
// plus @effect/eslint-plugin's dprint rule as the one formatter (no prettier, no separate dprint run).
import js from "@eslint/js"
import effect from "@effect/eslint-plugin"
import tseslint from "typescript-eslint"

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/dist/**", "**/bundle/**", "apps/http/public/**", "**/.turbo/**"]
  },
  {
    files: ["**/*.{ts,mts,mjs}"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended, ...effect.configs.dprint],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module"
    },
    rules: {
      // The Effect template's dprint settings (asi, double quotes, no trailing commas, 2 spaces). lineWidth 140
      // and kept import order are this code's own: it was written to about 140 columns (120 would rewrap 600
      // lines), and its imports are grouped by hand.
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 140,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force",
          "module.sortImportDeclarations": "maintain",
          "importDeclaration.sortNamedImports": "maintain",
          "exportDeclaration.sortNamedExports": "maintain"
        }
      }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", {
        argsIgnorePattern: "^_",
        varsIgnorePattern: "^_",
        caughtErrorsIgnorePattern: "^_"
      }]
    }
  },
  {
    // Packages log through Effect's logger; the apps' entry points, tests, bench and scripts may print.
    files: ["packages/*/src/**/*.ts"],
    rules: { "no-console": "error" }
  }
)
