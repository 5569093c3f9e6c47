import type { Domain } from './routing';

/**
 * Stable CloudFormation output keys of the API base URLs. The original derived them from the
 * qualifier and broke for stages with non-alphanumerics (docs/contract.md §14 #14); these never vary.
 */
export const API_URL_OUTPUT_KEYS: Readonly<Record<Domain, string>> = {
  Inventory: 'InventoryApiUrl',
  Orders: 'OrdersApiUrl',
  Payments: 'PaymentsApiUrl',
  Testing: 'TestingApiUrl',
};

/**
 * `<Domain>ApiInvokeArn`: every route of the API (`arn:…:execute-api:<region>:<account>:<api-id>/`
 * and a wildcard for stage, method and path), what a caller's `execute-api:Invoke` permission
 * names (infra/README.md, "Calling the APIs").
 */
export const API_INVOKE_ARN_OUTPUT_KEYS: Readonly<Record<Domain, string>> = {
  Inventory: 'InventoryApiInvokeArn',
  Orders: 'OrdersApiInvokeArn',
  Payments: 'PaymentsApiInvokeArn',
  Testing: 'TestingApiInvokeArn',
};

/**
 * What a client needs besides the URLs to call the APIs: the region to sign for (SigV4, service
 * `execute-api`) and whether the routes require it at all (`AWS_IAM`, or `NONE` with `publicApis`).
 */
export const API_ACCESS_OUTPUT_KEYS = {
  region: 'Region',
  authorization: 'ApiAuthorization',
} as const;

/**
 * Output keys a replay runner needs (`npm run replay`, lib/runner/replay.ts): the archive to
 * replay from, the bus to replay into (StartReplay's EventSourceArn and Destination.Arn).
 */
export const REPLAY_OUTPUT_KEYS = {
  eventBusArn: 'EventBusArn',
  archiveName: 'EventArchiveName',
  archiveArn: 'EventArchiveArn',
} as const;

/**
 * `<Domain><Slice>RuleArn`: the worker's rule, for StartReplay's Destination.FilterArns when a
 * replay targets only some workers. Same `<Domain><Slice>` stem as the `…DlqUrl` outputs.
 */
export function ruleArnOutputKey(worker: { readonly domain: string; readonly slice: string }): string {
  return `${worker.domain}${worker.slice}RuleArn`;
}
