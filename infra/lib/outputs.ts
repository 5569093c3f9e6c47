import type { Domain } from './routing';

/**
 * Stable CloudFormation output keys of the API base URLs. The original derived them from the
 * qualifier and broke for stages with non-alphanumerics (BEHAVIOR.md §14 #14); these never vary.
 */
export const API_URL_OUTPUT_KEYS: Readonly<Record<Domain, string>> = {
  Inventory: 'InventoryApiUrl',
  Orders: 'OrdersApiUrl',
  Payments: 'PaymentsApiUrl',
  Testing: 'TestingApiUrl',
};
