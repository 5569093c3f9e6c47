// httpyac configuration for the request collections in this folder (picked up by the httpyac
// CLI, by scripts/test-http-files and by the httpyac VS Code extension).
//
// 1. Assertions are written as comments, e.g. `# ?? status == 202`, so that VS Code REST Client
//    and the JetBrains HTTP Client see plain comments (a bare `?? …` line after a body would be
//    sent as part of the body by both). The hook below hands the uncommented line to httpyac's
//    own `??` assertion parser, so every httpyac assertion form works.
// 2. Environments: `$default` (no environment selected) and `local` talk to the embedded engine
//    (`ecomm serve`, default address 127.0.0.1:3000); `aws` reads the base URLs from the `.env`
//    file that `cd infra && npm run deploy <stage>` writes next to each domain's .http files.

const LOCAL_BASE_URL = 'http://127.0.0.1:3000';

const localEnvironment = {
  inventoryBaseUrl: LOCAL_BASE_URL,
  ordersBaseUrl: LOCAL_BASE_URL,
  paymentsBaseUrl: LOCAL_BASE_URL,
  testingBaseUrl: LOCAL_BASE_URL,
};

// httpyac loads the `.env` of the .http file's folder by itself; these references resolve from it.
const awsEnvironment = {
  inventoryBaseUrl: '{{INVENTORY_API_BASE_URL}}',
  ordersBaseUrl: '{{ORDERS_API_BASE_URL}}',
  paymentsBaseUrl: '{{PAYMENTS_API_BASE_URL}}',
  testingBaseUrl: '{{TESTING_API_BASE_URL}}',
};

const COMMENTED_ASSERTION = /^\s*#\s+(\?\?\s.*)$/u;

module.exports = {
  environments: {
    $default: localEnvironment,
    local: localEnvironment,
    aws: awsEnvironment,
  },
  configureHooks(api) {
    api.hooks.parse.addHook(
      'commentedAssertion',
      async (getLineReader, context) => {
        const next = getLineReader().next();
        if (next.done) {
          return false;
        }
        const match = COMMENTED_ASSERTION.exec(next.value.textLine);
        if (!match) {
          return false;
        }
        const assertionParser = api.hooks.parse.items.find(item => item.id === 'assert');
        if (!assertionParser) {
          throw new Error('httpyac has no `assert` parser: commented assertions cannot run');
        }
        const uncommented = { ...next.value, textLine: match[1] };
        return assertionParser.action(() => [uncommented][Symbol.iterator](), context);
      },
      { before: ['meta'] }
    );
  },
};
