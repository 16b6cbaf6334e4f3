// Lint with the rules STYLE.md names: no floating promises, exhaustive switches, strict equality, no any.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'coverage/**', '.data/**', 'test-artifacts/**', '*.js', '*.mjs'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  // src/core is the base layer every module stands on: it imports nothing above it, neither a module
  // nor the app level that wires the modules together (STYLE.md, "Layers lean the wrong way").
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/modules/**', '**/modules'],
              message:
                'src/core is the base layer and must not import from src/modules: move what core needs into src/core, or have the module hand it to core (as the app hands DatabaseModule its entity list).',
            },
            {
              regex: '^(\\.\\./)+(app\\.module|entities|create-app|create-app-context|main|cli|worker)$',
              message:
                'src/core is the base layer and must not import the app level (app.module, entities, create-app, main, cli, worker), which wires the modules together.',
            },
          ],
        },
      ],
    },
  },
  // One redaction API (src/core/redaction/index.ts) that counts every redaction for the metrics:
  // modules go through it, never around it to the engine's files.
  {
    files: ['src/modules/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: 'core/redaction/(redact-text|redact-object|placeholders|detect-entities|detectors)',
              message: 'Import the redaction API from src/core/redaction (its index): it counts every redaction for repazoo_redacted_entities_total.',
            },
          ],
        },
      ],
    },
  },
  // The privacy pages' browser script is plain JavaScript outside the TypeScript project.
  {
    files: ['src/**/assets/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, sourceType: 'script' },
  },
);
