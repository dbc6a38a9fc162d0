/** @type {import('eslint-doc-generator').GenerateOptions} */
const config = {
  // Every rule doc needs these sections (tests/docs.test.ts checks the ❌ / ✅ examples in Rule Details).
  ruleDocSectionInclude: ['Rule Details', 'TCP consequence', 'Options', 'When Not To Use It', 'Further Reading'],
  // Every doc has an Options section (saying "none" where there are none), so the generator's own check, which
  // forbids that section for rules without options, is off.
  ruleDocSectionOptions: false,
  ruleListColumns: [
    'name',
    'description',
    'configsError',
    'configsWarn',
    'configsOff',
    'requiresTypeChecking',
    'hasSuggestions',
    'fixable',
    'deprecated',
  ],
  configEmoji: [
    ['recommended', '✅'],
    ['strict', '🔒'],
    ['all', '🌐'],
  ],
  urlConfigs: 'https://github.com/socket-leaks/eslint-plugin-socket-leaks#configs',
};

export default config;
