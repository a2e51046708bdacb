/**
 * The DynamoDB actions each kind of table access grants. Explicit lists instead of grantReadData /
 * grantReadWriteData: those add Scan, DescribeTable and stream reads, and an `index/*` wildcard.
 * Transactions need no action of their own: DynamoDB checks the Put/Update/Delete/ConditionCheck of each
 * item. Kept apart from the CDK construct so tests can check the code's calls against it cheaply.
 */
export type TableAccess = 'read' | 'readWrite';

export const TABLE_ACTIONS: Record<TableAccess, readonly string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
  ],
};
