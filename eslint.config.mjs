// Lint rules for the TypeScript sources: eslint's recommended set plus typescript-eslint's type-aware rules that
// matter for an encryption library (no promise left floating or misused, no `any` flowing unchecked into a call).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  // Stryker's sandboxes (npm run mutation) are copies of the tree: linting them would lint everything twice.
  {
    ignores: [
      'build/',
      'build-*/',
      'node_modules/',
      '.ci-cache/',
      'npm/',
      'esm/',
      'bin/',
      'scripts/',
      '.stryker-tmp*/',
      'reports/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      'no-eval': 'error',
      // Unused parameters and omitted rest siblings are spelled with a leading underscore.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // A typed `require(...) as typeof import(...)` is how the AWS SDKs and other heavy modules load lazily, so
      // that `import 'esdk-native'` and `esdk --version` do not pay for what they do not use.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
)
