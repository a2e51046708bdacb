/**
 * Writes the link item CLIENT / <clientId> -> agencyId for each agency's app client, so the API can map
 * the `client_id` of a client-credentials access token to its agency (access tokens carry no custom
 * claims on Cognito's Essentials plan). Created with the client, rewritten on update, deleted with it.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, type AwsSdkCall, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { tableDefinition } from '../../shared/store/table-definition.ts';

/** The partition key value of every link item (see shared/store/table-definition.ts). */
export const CLIENT_LINK_PK = 'CLIENT';

export interface AgencyClientLinksProps {
  table: ITableV2;
  logRetention: RetentionDays;
}

export class AgencyClientLinks extends Construct {
  /** The role of the (stack-wide, singleton) function behind every AwsCustomResource of this stack. */
  readonly role: Role;
  private readonly logGroup: LogGroup;
  private readonly table: ITableV2;

  constructor(scope: Construct, id: string, props: AgencyClientLinksProps) {
    super(scope, id);
    this.table = props.table;
    this.logGroup = new LogGroup(this, 'LogGroup', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    // Own role: no AWSLambdaBasicExecutionRole managed policy, and no DynamoDB right beyond these two
    // actions on this one table.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal(ServicePrincipal.servicePrincipalName('lambda')),
      description: 'Writes and deletes the CLIENT link items of agency app clients',
    });
    this.logGroup.grantWrite(this.role);
    this.role.addToPrincipalPolicy(
      // only CLIENT link items: it can neither write nor delete anything else (a decision's history)
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [CLIENT_LINK_PK] } },
      }),
    );
  }

  /** Links one agency's app client to the agency. */
  link(agencyId: string, client: IUserPoolClient): AwsCustomResource {
    const key = {
      [tableDefinition.partitionKey]: { S: CLIENT_LINK_PK },
      [tableDefinition.sortKey]: { S: client.userPoolClientId },
    };
    const put: AwsSdkCall = {
      service: 'DynamoDB',
      action: 'PutItem',
      parameters: { TableName: this.table.tableName, Item: { ...key, agencyId: { S: agencyId } } },
      // A new client id is a new physical resource: CloudFormation then deletes the old link.
      physicalResourceId: PhysicalResourceId.of(client.userPoolClientId),
    };
    return new AwsCustomResource(this, `Link-${agencyId}`, {
      resourceType: 'Custom::BeianAgencyClientLink',
      onCreate: put,
      onUpdate: put,
      onDelete: { service: 'DynamoDB', action: 'DeleteItem', parameters: { TableName: this.table.tableName, Key: key } },
      role: this.role,
      logGroup: this.logGroup,
      installLatestAwsSdk: false,
    });
  }
}
