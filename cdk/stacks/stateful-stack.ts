import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate, CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { DIRECTORY_TABLE, DIRECTORY_TABLE_NAME, SITE_TABLE, siteTableName } from '../../config/tables.js';
import { SiteKeys } from '../constructs/site-keys.js';
import { definedTable } from '../constructs/tables.js';
import { DATA_KEY_ALIAS } from '../naming.js';
import type { SiteSettings } from '../settings.js';

export interface StatefulStackProps extends StackProps {
  readonly site: SiteSettings;
  /**
   * Set on the one site that owns the directory: the other sites' regions,
   * where DynamoDB keeps replicas encrypted with those sites' data keys.
   */
  readonly directoryReplicaRegions?: readonly string[];
  readonly alarmEmail?: string;
}

/**
 * What a site must never lose: its tables and keys (all retained on stack
 * deletion), and the TLS certificate its public names are served with.
 */
export class StatefulStack extends Stack {
  readonly siteKey: Key;
  readonly dataKey: Key;
  readonly auditSigningKey: Key;
  readonly siteTable: TableV2;
  readonly directoryTable?: TableV2;
  readonly certificate: ICertificate;
  /** Where the site's alarms and scaling failures go; it outlives the stacks that publish to it. */
  readonly alerts: Topic;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { site } = props;

    const keys = new SiteKeys(this, 'Keys', { site: site.id });
    this.siteKey = keys.siteKey;
    this.dataKey = keys.dataKey;
    this.auditSigningKey = keys.auditSigningKey;

    this.siteTable = definedTable(this, { definition: SITE_TABLE, tableName: siteTableName(site.id), key: this.dataKey });

    if (props.directoryReplicaRegions) {
      // The replica's key is named by alias: a key ARN from another region would
      // need a cross-region reference, and the alias is fixed by the other site's stack.
      this.directoryTable = definedTable(this, {
        definition: DIRECTORY_TABLE,
        tableName: DIRECTORY_TABLE_NAME,
        key: this.dataKey,
        replicas: props.directoryReplicaRegions.map((region) => ({
          region,
          keyArn: `arn:${this.partition}:kms:${region}:${this.account}:${DATA_KEY_ALIAS}`,
        })),
      });
    }

    this.certificate = site.certificateArn
      ? Certificate.fromCertificateArn(this, 'Certificate', site.certificateArn)
      : new Certificate(this, 'Certificate', {
          domainName: site.apiDomain,
          subjectAlternativeNames: [site.livekitDomain, site.turnDomain],
          // Without a hosted zone here the operator adds the validation records; see docs/deploy.md.
          validation: CertificateValidation.fromDns(),
        });

    this.alerts = new Topic(this, 'Alerts', { displayName: `Meetplane ${site.id} alerts`, enforceSSL: true });
    if (props.alarmEmail) this.alerts.addSubscription(new EmailSubscription(props.alarmEmail));

    new CfnOutput(this, 'SiteKeyArn', { value: this.siteKey.keyArn });
    new CfnOutput(this, 'AuditSigningKeyArn', { value: this.auditSigningKey.keyArn });
    new CfnOutput(this, 'SiteTableName', { value: this.siteTable.tableName });
  }
}
