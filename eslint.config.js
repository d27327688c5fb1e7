import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'native/build/**', 'node_modules/**', 'runs/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // the library itself is fully typed; tests may reach into loosely typed tfjs internals
  { files: ['src/**'], rules: { '@typescript-eslint/no-explicit-any': 'error' } },
);
