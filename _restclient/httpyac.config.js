// httpyac configuration for the request collections in this folder (picked up by the httpyac
// CLI, by scripts/test-http-files and by the httpyac VS Code extension).
//
// 1. Assertions are written as comments, e.g. `# ?? status == 202`, so that VS Code REST Client
//    and the JetBrains HTTP Client see plain comments (a bare `?? …` line after a body would be
//    sent as part of the body by both). The hook below hands the uncommented line to httpyac's
//    own `??` assertion parser, so every httpyac assertion form works.
// 2. Environments: `$default` (no environment selected) and `local` talk to the embedded engine
//    (`ecomm serve`, default address 127.0.0.1:3000); `aws` reads the base URLs (and the region)
//    from the `.env` file that `cd infra && npm run deploy <stage>` writes next to each domain's
//    .http files.
// 3. Signing: every request except the CORS preflights carries `Authorization: {{awsAuthorization}}`
//    as its last header. In `aws` that is httpyac's SigV4 form, `AWS <key id> <secret> token:<session
//    token> region:<region> service:execute-api`, which httpyac replaces with a signature; the
//    credentials are AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN of the process
//    environment, or of a git-ignored `aws.env` in this folder. Everywhere else it is empty, and
//    the empty header is dropped. Signing happens when httpyac fills in the Authorization header,
//    so headers after it would be signed before their variables are filled in: keep it last.
// 4. Request variables: a request named with `# @name firstPage` is referred to as REST Client
//    writes it, `{{firstPage.response.body.$.nextToken}}` (also `.response.body.*` and
//    `.response.headers.<name>`). httpyac keeps that response as the variable `firstPageResponse`
//    but has no such syntax: the hook below resolves it from there (a JSONPath of `.name`, `[0]`
//    and `['name']` steps). Put `# @ref firstPage` on the request that refers to it, so httpyac
//    sends the named request first when it has not been sent yet (REST Client ignores the line).

const LOCAL_BASE_URL = 'http://127.0.0.1:3000';

const localEnvironment = {
  inventoryBaseUrl: LOCAL_BASE_URL,
  ordersBaseUrl: LOCAL_BASE_URL,
  paymentsBaseUrl: LOCAL_BASE_URL,
  testingBaseUrl: LOCAL_BASE_URL,
};

// httpyac loads the `.env` of the .http file's folder by itself; these references resolve from it.
// The credentials default to the process environment; an `aws.env` (or `.env`) file overrides them.
const awsEnvironment = {
  inventoryBaseUrl: '{{INVENTORY_API_BASE_URL}}',
  ordersBaseUrl: '{{ORDERS_API_BASE_URL}}',
  paymentsBaseUrl: '{{PAYMENTS_API_BASE_URL}}',
  testingBaseUrl: '{{TESTING_API_BASE_URL}}',
  API_REGION: '',
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID || '',
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY || '',
  AWS_SESSION_TOKEN: process.env.AWS_SESSION_TOKEN || '',
};

const AWS_AUTHORIZATION =
  'AWS {{AWS_ACCESS_KEY_ID}} {{AWS_SECRET_ACCESS_KEY}} token:{{AWS_SESSION_TOKEN}} region:{{API_REGION}} service:execute-api';
const SIGV4_PARAMETER = /^(token|region|service):/iu;
const COMMENTED_ASSERTION = /^\s*#\s+(\?\?\s.*)$/u;
const REQUEST_VARIABLE = /\{\{\s*([A-Za-z_$][\w$]*)\.response\.(body|headers)\.([^{}]*?)\s*\}\}/gu;
const JSON_PATH_STEP = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[(['"])(.*?)\3\]/uy;

/** `$`, `$.a.b`, `$.a[0]`, `$['a-b']`: the steps of a JSONPath that names one value. */
function jsonPathSteps(path) {
  if (!path.startsWith('$')) {
    return undefined;
  }
  const steps = [];
  JSON_PATH_STEP.lastIndex = 1;
  while (JSON_PATH_STEP.lastIndex < path.length) {
    const at = JSON_PATH_STEP.lastIndex;
    const match = JSON_PATH_STEP.exec(path);
    if (!match || match.index !== at) {
      return undefined;
    }
    steps.push(match[1] !== undefined ? match[1] : match[2] !== undefined ? Number(match[2]) : match[4]);
  }
  return steps;
}

/**
 * The value REST Client's `{{<name>.response.<part>.<path>}}` names, from the response httpyac
 * stored as `<name>Response` for the request `# @name <name>`. Throws (the request is not sent)
 * when that request has not been sent or its response holds no such value.
 */
function requestVariable(variables, name, part, path) {
  const reference = `{{${name}.response.${part}.${path}}}`;
  const response = variables[`${name}Response`];
  if (!response || typeof response !== 'object') {
    throw new Error(`${reference}: send the request named ${name} (# @name ${name}) first`);
  }
  let value;
  if (part === 'headers') {
    const header = Object.keys(response.headers || {}).find(key => key.toLowerCase() === path.toLowerCase());
    value = header === undefined ? undefined : response.headers[header];
    value = Array.isArray(value) ? value[0] : value;
  } else {
    const body = response.parsedBody !== undefined ? response.parsedBody : response.body;
    const steps = path === '*' ? [] : jsonPathSteps(path);
    if (steps === undefined) {
      throw new Error(`${reference}: only a JSONPath of .name, [index] and ['name'] steps is supported`);
    }
    value = steps.reduce((node, step) => (node !== null && typeof node === 'object' ? node[step] : undefined), body);
  }
  if (value === undefined) {
    throw new Error(`${reference}: the response of ${name} (HTTP ${response.statusCode}) has no ${path}`);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * `AWS <key id> <secret> token:… region:… service:…` without its empty parameters: httpyac's
 * parser would take `token:` followed by ` region:eu-west-1` for a token named `region:eu-west-1`.
 * Without a region it is read from the host (`<id>.execute-api.<region>.amazonaws.com`). Missing
 * credentials stop the request here rather than sending a request signed with nonsense.
 */
function normalizeAwsAuthorization(text) {
  const [scheme, accessKeyId = '', secretAccessKey = '', ...parameters] = text.trim().split(/\s+/u);
  if (!accessKeyId || !secretAccessKey || SIGV4_PARAMETER.test(accessKeyId) || SIGV4_PARAMETER.test(secretAccessKey)) {
    throw new Error(
      'environment aws: no AWS credentials to sign with. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
        '(and AWS_SESSION_TOKEN) in the environment httpyac runs in, e.g. ' +
        '`eval "$(aws configure export-credentials --format env)"`, or in _restclient/aws.env (git-ignored). ' +
        'See _restclient/README.md, "Signing requests".'
    );
  }
  const given = parameters.filter(parameter => !/^(token|region|service):$/iu.test(parameter));
  return [scheme, accessKeyId, secretAccessKey, ...given].join(' ');
}

module.exports = {
  environments: {
    $shared: { awsAuthorization: '' },
    $default: localEnvironment,
    local: localEnvironment,
    aws: awsEnvironment,
  },
  configureHooks(api) {
    // `awsAuthorization` of `aws` comes last, after http-client(.private).env.json and the .env
    // files: JetBrains' environment `aws` (scripts/restclient-aws-env) sets it empty, as that client
    // cannot sign, and must not switch httpyac's signing off.
    api.hooks.provideVariables.addHook('awsSigV4Authorization', async environments =>
      environments && environments.includes('aws') ? { awsAuthorization: AWS_AUTHORIZATION } : {}
    );
    api.hooks.replaceVariable.addHook(
      'awsSigV4Parameters',
      async (text, type) =>
        typeof text === 'string' && typeof type === 'string' && type.toLowerCase() === 'authorization' && /^\s*aws(\s|$)/iu.test(text)
          ? normalizeAwsAuthorization(text)
          : text,
      { before: ['aws'] }
    );
    // REST Client's request variables (4. above), before httpyac evaluates `{{…}}` as JavaScript.
    api.hooks.replaceVariable.addHook(
      'restClientRequestVariables',
      async (text, _type, context) =>
        typeof text === 'string'
          ? text.replace(REQUEST_VARIABLE, (_match, name, part, path) => requestVariable(context.variables || {}, name, part, path))
          : text,
      { before: ['javascript'] }
    );
    // An empty Authorization (every environment but aws) is not sent at all.
    api.hooks.onRequest.addHook(
      'dropEmptyAuthorization',
      async request => {
        for (const name of Object.keys(request.headers || {})) {
          const value = request.headers[name];
          if (name.toLowerCase() === 'authorization' && (value === undefined || value === null || String(value).trim() === '')) {
            delete request.headers[name];
          }
        }
      },
      { after: ['requestVariableReplacer'] }
    );
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
