import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/**', 'node_modules/**', 'src/generated/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } }
  },
  {
    // Tests poke at raw JSON payloads to break them on purpose.
    files: ['src/**/*.test.ts', 'src/**/fixtures.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' }
  },
  {
    // Long code hides its seams: the same limits as tests/test_code_layout.py for Python,
    // tests and build scripts included.
    files: ['src/**/*.ts', 'scripts/**/*.mjs'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 80 }]
    }
  },
  {
    rules: {
      // Payload strings must never become markup: forbid the HTML sinks outright.
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Use textContent: payload text is never markup.' },
        { property: 'outerHTML', message: 'Use textContent: payload text is never markup.' },
        { property: 'insertAdjacentHTML', message: 'Build DOM nodes instead.' }
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  }
);
