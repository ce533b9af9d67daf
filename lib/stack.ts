import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { functionNames, type FunctionName } from '../functions/core/api.js';
import { Api } from './constructs/api.js';
import { Auth } from './constructs/auth.js';
import { Data } from './constructs/data.js';
import { Functions } from './constructs/functions.js';
import { Monitoring } from './constructs/monitoring.js';
import type { Settings } from './settings.js';

/**
 * What each function may use. A Record, so a new function cannot be left out. Only the
 * functions that list with cursors get CURSOR_SECRET; test/cdk checks this against what
 * each bundle actually reads.
 */
export const functionAccess: Record<FunctionName, { table: boolean; cursorSecret: boolean }> = {
  associations: { table: true, cursorSecret: true },
  members: { table: true, cursorSecret: true },
  profiles: { table: true, cursorSecret: false },
  meta: { table: false, cursorSecret: false },
};

export interface PlatformStackProps extends StackProps {
  settings: Settings;
}

export class PlatformStack extends Stack {
  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const data = new Data(this, 'Data');
    const auth = new Auth(this, 'Auth');
    const functions = new Functions(this, 'Functions', {
      mailFrom: settings.mailFrom,
      corsOrigins: settings.corsOrigins,
    });
    for (const name of functionNames) {
      const fn = functions.byName[name];
      if (functionAccess[name].table) data.grantReadWrite(fn);
      if (functionAccess[name].cursorSecret) functions.passCursorSecret(fn);
    }
    const api = new Api(this, 'Api', {
      functions: functions.byName,
      jwtIssuer: auth.issuer,
      jwtAudience: [auth.webClient.userPoolClientId],
      corsOrigins: settings.corsOrigins,
      throttleRate: settings.throttleRate,
      throttleBurst: settings.throttleBurst,
    });
    const monitoring = new Monitoring(this, 'Monitoring', {
      httpApi: api.httpApi,
      functions: functions.byName,
      table: data.table,
      alarmEmail: settings.alarmEmail,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.url });
    new CfnOutput(this, 'UserPoolId', { value: auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: auth.webClient.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: monitoring.topic.topicArn });
  }
}
