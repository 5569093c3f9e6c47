import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ApiTableAccess } from './catalogue';
import { WORKER_TABLE_ACTIONS } from './catalogue';

export const GSI_NAME = 'gsi1pk-gsi1sk-index';

/**
 * Table grants written out as explicit statements instead of `table.grant*()`: the CDK helpers
 * bundle actions these slices never use (BatchWriteItem, DeleteItem, Scan, DescribeTable, …).
 */
export function grantApiTableAccess(role: iam.IRole, table: dynamodb.ITable, access: ApiTableAccess): void {
  switch (access.kind) {
    case 'raiseEvent':
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'RaiseEventsOnly',
          actions: ['dynamodb:PutItem'],
          resources: [table.tableArn],
          conditions:
            access.keyPrefix === undefined
              ? undefined
              : { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${access.keyPrefix}*`] } },
        }),
      );
      return;
    case 'query':
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'QueryTableAndIndex',
          actions: ['dynamodb:Query'],
          resources: [table.tableArn, `${table.tableArn}/index/${GSI_NAME}`],
        }),
      );
      return;
  }
}

export function grantWorkerTableAccess(role: iam.IRole, table: dynamodb.ITable): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'WorkerItemAccess',
      actions: [...WORKER_TABLE_ACTIONS],
      resources: [table.tableArn],
    }),
  );
}
